import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { markForm } from '../attendance/schemas.ts';
import type { Audience } from '../db/tables/days.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { flashFor } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, isHtmx, userOf } from '../web/request.ts';
import * as days from './door.ts';
import * as door from './door-queries.ts';
import { audienceName } from './present.ts';
import * as q from './queries.ts';

const tasterParams = z.object({ id: z.uuid(), tasterId: z.uuid() });
const dayEntryParams = z.object({ id: z.uuid(), registrationId: z.uuid() });
const tasterEntryParams = z.object({ id: z.uuid(), tasterId: z.uuid(), choiceId: z.uuid() });

/** The labels the badge sheet is laid out for: 8 to an A4 sheet, 2 across and 4 down. */
export const BADGE_LABELS = { name: 'A4 sheets of 8 labels, 99.1 × 67.7 mm (such as Avery L7165)', perSheet: 8 } as const;

const attendanceText = { attended: 'attended', no_show: 'did not come' } as const;

/** Where someone comes from, as badges and registers show it: their organisation, or practice and PCN. */
export function whereOf(person: { audience: Audience; organisationName: string | null; practice: string | null; pcn: string | null }) {
  return person.audience === 'cultural' ? (person.organisationName ?? '') : [person.practice, person.pcn].filter(Boolean).join(', ');
}

function entryOf(person: door.DoorPerson | Awaited<ReturnType<typeof door.tasterPeople>>[number]) {
  return { id: person.id, name: person.name ?? 'Name removed', role: audienceName[person.audience], where: whereOf(person), attendance: person.attendance };
}

/**
 * On the day (issue 15, item 6): the badge sheet and the day's door register for the day's
 * organisers (coordinators), and each taster's door register for them and for the staff of the
 * organisation running it. Marking works as the sessions' register does: one tap, htmx swaps the
 * person's card and announces the change; without JavaScript the form posts and comes back.
 */
export async function dayRegisterRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('provider', 'coordinator'));
  const organisers = { preHandler: requireRole('coordinator') };

  async function publishedDay(request: FastifyRequest) {
    const day = await q.findDay(db, paramsOf(idParams, request).id);
    if (!day || day.status === 'draft') throw new NotFoundError();
    return day;
  }

  async function tasterOf(request: FastifyRequest) {
    const params = paramsOf(tasterParams, request);
    const day = await publishedDay(request);
    const taster = await door.findDayTaster(db, day.id, params.tasterId);
    if (!taster) throw new NotFoundError();
    days.assertCanTakeTasterRegister(userOf(request), taster);
    return { day, taster };
  }

  app.get('/days/:id/badges', organisers, async (request, reply) => {
    const day = await publishedDay(request);
    const people = (await door.confirmedPeople(db, day.id)).map(entryOf);
    const sheets: Array<typeof people> = [];
    for (let i = 0; i < people.length; i += BADGE_LABELS.perSheet) sheets.push(people.slice(i, i + BADGE_LABELS.perSheet));
    return reply.viewAsync('days/badges.eta', {
      title: `Name badges: ${day.title}`,
      day,
      sheets,
      count: people.length,
      labels: BADGE_LABELS.name,
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  });

  type RegisterModel = { heading: string; caption: string; action: string; people: ReturnType<typeof entryOf>[]; backHref: string; backText: string };

  async function registerPage(reply: FastifyReply, day: q.DayDetails, model: RegisterModel, extra: { problem?: string; flash?: string | undefined } = {}) {
    const errors: Record<string, string> = extra.problem ? { register: extra.problem } : {};
    return reply.code(extra.problem ? 400 : 200).viewAsync('days/door.eta', {
      title: model.heading,
      day,
      ...model,
      counts: door.countsOf(model.people),
      window: days.doorWindow(day, new Date()),
      closesAt: days.doorClosesAt(day),
      errors,
      flash: extra.flash,
      backLink: { href: model.backHref, text: model.backText },
    });
  }

  async function dayModel(day: q.DayDetails): Promise<RegisterModel> {
    return {
      heading: `Door register: ${day.title}`,
      caption: 'Taster day',
      action: `/days/${day.id}/door`,
      people: (await door.confirmedPeople(db, day.id)).map(entryOf),
      backHref: `/days/${day.id}`,
      backText: `Back to ${day.title}`,
    };
  }

  async function tasterModel(day: q.DayDetails, taster: door.DoorTaster): Promise<RegisterModel> {
    return {
      heading: `Door register: ${taster.title}`,
      caption: `${day.title}, ${taster.slotTitle}${taster.room ? `, ${taster.room}` : ''}`,
      action: `/days/${day.id}/tasters/${taster.id}/door`,
      people: (await door.tasterPeople(db, taster.id)).map(entryOf),
      backHref: `/days/${day.id}`,
      backText: `Back to ${day.title}`,
    };
  }

  const doneMessages = { marked: 'Attendance recorded.' };

  app.get('/days/:id/door', organisers, async (request, reply) => {
    const day = await publishedDay(request);
    return registerPage(reply, day, await dayModel(day), { flash: flashFor(request.query, doneMessages) });
  });

  app.get('/days/:id/tasters/:tasterId/door', async (request, reply) => {
    const { day, taster } = await tasterOf(request);
    return registerPage(reply, day, await tasterModel(day, taster), { flash: flashFor(request.query, doneMessages) });
  });

  /** The mark itself, then the answer: the person's card for htmx, else back to the register at them. */
  async function marked(
    request: FastifyRequest,
    reply: FastifyReply,
    day: q.DayDetails,
    entryId: string,
    mark: (attendance: 'attended' | 'no_show') => Promise<void>,
    model: () => Promise<RegisterModel>,
  ) {
    const form = parseForm(markForm, request.body);
    let problem: string | undefined;
    if (!form.ok) problem = form.errors.attendance;
    else {
      try {
        await mark(form.value.attendance);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
        problem = error.message;
      }
    }
    const current = await model();
    if (!isHtmx(request)) {
      if (problem) return registerPage(reply, day, current, { problem });
      return reply.redirect(`${current.action}?done=marked#person-${entryId}`, 303);
    }
    const entry = current.people.find((p) => p.id === entryId);
    if (!entry) throw new NotFoundError();
    const announcement = problem
      ? `Not changed: ${problem}.`
      : `${entry.name} marked as ${entry.attendance ? attendanceText[entry.attendance] : 'not marked'}.`;
    return reply.code(problem ? 400 : 200).viewAsync('days/door-row-update.eta', {
      entry,
      action: current.action,
      counts: door.countsOf(current.people),
      announcement,
      problem,
      window: days.doorWindow(day, new Date()),
    });
  }

  app.post('/days/:id/door/:registrationId', { ...organisers, ...fieldsChecked }, async (request, reply) => {
    const params = paramsOf(dayEntryParams, request);
    const day = await publishedDay(request);
    return marked(
      request,
      reply,
      day,
      params.registrationId,
      (attendance) => db.transaction().execute((tx) => days.markDayAttendance(tx, actorOf(request), day.id, params.registrationId, attendance)),
      () => dayModel(day),
    );
  });

  app.post('/days/:id/tasters/:tasterId/door/:choiceId', fieldsChecked, async (request, reply) => {
    const params = paramsOf(tasterEntryParams, request);
    const { day, taster } = await tasterOf(request);
    return marked(
      request,
      reply,
      day,
      params.choiceId,
      (attendance) => db.transaction().execute((tx) => days.markTasterAttendance(tx, actorOf(request), day.id, taster.id, params.choiceId, attendance)),
      () => tasterModel(day, taster),
    );
  });
}
