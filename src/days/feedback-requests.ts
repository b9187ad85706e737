import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { ScheduleContext } from '../delivery/scheduled.ts';
import { FEEDBACK_EDITABLE_DAYS } from '../feedback/service.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import { compose, paragraph } from '../messages/compose.ts';
import { absolute, greeting } from '../messages/facts.ts';
import { queueMessage } from '../messages/outbox.ts';
import { unsubscribeLinks } from '../preferences/unsubscribe.ts';

const DAY_MS = 86_400_000;

/**
 * Link workers marked as attending a day that ended within `withinDays`, who have not given
 * feedback on it: the sessions' rule (attended, still active, asked while feedback can still be
 * changed, not once they have answered, not if they turned feedback requests off).
 */
export async function dayFeedbackCandidates(db: Queryable, now: Date, withinDays: number) {
  return db
    .selectFrom('dayRegistrations as r')
    .innerJoin('users as u', 'u.id', 'r.userId')
    .innerJoin('tasterDays as d', 'd.id', 'r.tasterDayId')
    .select(['r.id as registrationId', 'u.id as userId', 'u.email', 'u.name', 'd.id as dayId', 'd.title', 'd.startsAt', 'd.endsAt'])
    .where('r.audience', '=', 'link_worker')
    .where('r.status', '=', 'confirmed')
    .where('r.attendance', '=', 'attended')
    .where('u.status', '=', 'active')
    .where('d.status', '=', 'published')
    .where('d.endsAt', '<=', now)
    .where('d.endsAt', '>', new Date(now.getTime() - withinDays * DAY_MS))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('dayFeedback as f').select(sql`1`.as('one')).whereRef('f.registrationId', '=', 'r.id').where('f.dayTasterChoiceId', 'is', null),
        ),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('messagePreferences as mp').select(sql`1`.as('one')).whereRef('mp.userId', '=', 'u.id').where('mp.feedbackRequests', '=', false),
        ),
      ),
    )
    .orderBy('d.endsAt')
    .orderBy('r.id')
    .execute();
}

/** The tasters each registration was marked as trying, for the email's list. */
async function tastersTried(db: Queryable, registrationIds: string[]) {
  if (registrationIds.length === 0) return [];
  return db
    .selectFrom('dayTasterChoices as c')
    .innerJoin('dayTasters as t', 't.id', 'c.dayTasterId')
    .innerJoin('organisations as org', 'org.id', 't.organisationId')
    .select(['c.registrationId', 't.title', 'org.name as organisationName'])
    .where('c.registrationId', 'in', registrationIds)
    .where('c.attendance', '=', 'attended')
    .orderBy('t.title')
    .execute();
}

/**
 * Asks link workers who attended a taster day for feedback on it and on each taster they tried: one
 * email per person and day, with a stable dedupe key, so running the job again queues nothing new.
 * Written when queued, like the sessions' feedback requests: no lock is held here (README, Emails).
 */
export async function queueDayFeedbackRequests({ db, baseUrl, secret, now }: ScheduleContext): Promise<number> {
  const candidates = await dayFeedbackCandidates(db, now, FEEDBACK_EDITABLE_DAYS);
  const tried = await tastersTried(
    db,
    candidates.map((c) => c.registrationId),
  );
  let queued = 0;
  for (const person of candidates) {
    const theirs = tried.filter((t) => t.registrationId === person.registrationId);
    const stop = unsubscribeLinks({ baseUrl, secret, userId: person.userId, choice: 'feedbackRequests' });
    const message = compose({
      subject: `How was ${person.title}?`,
      heading: 'How was the taster day?',
      greeting: greeting(person.name),
      blocks: [
        paragraph(`Thank you for coming to ${person.title} on ${h.date(person.startsAt)}.`),
        ...(theirs.length
          ? [
              paragraph(
                `Tell us what you thought of the day, and of ${theirs.length === 1 ? 'the taster' : 'each taster'} you tried: ${theirs.map((t) => `${t.title} (${t.organisationName})`).join(', ')}.`,
              ),
            ]
          : [paragraph('Tell us what you thought of the day.')]),
        paragraph('It takes a few minutes, and helps the organisers and the organisations who ran the tasters. Your answers are not shown with your name.'),
        { type: 'action', text: 'Give feedback', href: absolute(baseUrl, `/days/${person.dayId}/feedback`) },
      ],
      footer: [paragraph('We ask once after each taster day you attend.'), ...stop.footer],
    });
    if (
      await queueMessage(db, {
        dedupeKey: `day_feedback_request:${person.registrationId}`,
        kind: 'day_feedback_request',
        to: person.email,
        recipientId: person.userId,
        ...message,
        unsubscribeUrl: stop.url,
      })
    )
      queued++;
  }
  return queued;
}
