import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../lib/errors.ts';
import type { FieldErrors } from '../lib/forms.ts';
import { flashFor } from '../web/forms.ts';
import { userOf } from '../web/request.ts';
import { onTheDay } from './on-the-day.ts';
import { audienceName, choiceText, programmeOf, venueOf } from './present.ts';
import { proposalOf } from './proposal-queries.ts';
import { proposalState } from './proposal-service.ts';
import * as q from './queries.ts';
import { registrationProblem } from './service.ts';

const doneMessages: Record<string, string> = {
  created: 'Day created. Add its programme, then publish it',
  item: 'Added to the programme',
  taster: 'Taster added',
  published: 'Day published: link workers and cultural-sector staff can register',
  registered: 'You are registered',
  waitlisted: 'You are on the waiting list',
  choices: 'Your choices are saved',
  cancelled: 'Your registration is cancelled',
  'list-on': 'You are on the participant list',
  'list-off': 'You are no longer on the participant list',
  'email-withdrawn': 'You are no longer sharing your email: nobody sees it now',
  changed: 'Day changed',
  'item-changed': 'Programme item changed',
  'item-removed': 'Removed from the programme',
  'taster-changed': 'Taster changed',
  'taster-removed': 'Taster removed',
  'day-cancelled': 'Day cancelled: everyone registered has been emailed',
};

/**
 * The day's page: what, when, where (with the venue's access information), the programme in time
 * order with each slot's tasters and places left; for a coordinator the building controls; for a
 * registered person their place, their choices (changeable until registration closes) and their
 * participant-list choice. Forms on it re-render it with their messages.
 */
export async function dayPage(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  dayId: string,
  input: { errors?: FieldErrors; values?: Record<string, string> } = {},
) {
  const user = userOf(request);
  const day = await q.findDay(db, dayId);
  const canManage = user.role === 'coordinator';
  if (!day || (day.status === 'draft' && !canManage)) throw new NotFoundError();
  const programme = programmeOf(await q.listItems(db, day.id), await q.listTasters(db, day.id));
  const registration = canManage ? undefined : await q.findLiveRegistration(db, day.id, user.id);
  let mine = null;
  if (registration) {
    const choices = await q.choicesWithPositions(db, registration.id);
    const position = registration.status === 'waitlisted' ? await q.registrationPosition(db, registration.id) : null;
    mine = {
      ...registration,
      audienceName: audienceName[registration.audience],
      position,
      slots: programme
        .filter((item) => item.kind === 'slot')
        .map((item) => {
          const choice = choices.find((c) => c.programmeItemId === item.id);
          const taster = item.tasters.find((t) => t.id === choice?.dayTasterId);
          return {
            item,
            tasterTitle: taster?.title ?? null,
            text: choiceText(
              choice && { itemId: item.id, tasterId: choice.dayTasterId, status: choice.status, position: choice.position },
              registration.status,
            ),
            status: choice?.status ?? null,
          };
        }),
      values:
        input.values ??
        Object.fromEntries(
          programme.filter((item) => item.kind === 'slot').map((item) => [item.field, choices.find((c) => c.programmeItemId === item.id)?.dayTasterId ?? '']),
        ),
    };
  }
  const open = registrationProblem(day) === null;
  const proposal = canManage && day.status === 'draft' ? await proposalOf(db, day.id) : undefined;
  const returnedToProposer = proposal !== undefined && proposalState({ status: day.status, ...proposal }) === 'returned';
  const errors = input.errors ?? {};
  return reply.code(Object.keys(errors).length ? 400 : 200).viewAsync('days/show.eta', {
    title: day.title,
    day,
    venue: venueOf(day),
    programme,
    canManage,
    returnedToProposer,
    open,
    mine,
    onTheDay: await onTheDay(db, user, day),
    ownOrganisationId: user.organisationId,
    isCultural: user.role === 'provider',
    errors,
    flash: flashFor(request.query, doneMessages),
    backLink: { href: '/days', text: 'Back to taster days' },
  });
}
