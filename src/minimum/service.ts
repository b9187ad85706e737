import type { ActorInRole } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db, Tx } from '../db/database.ts';
import { inTransaction } from '../db/transaction.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import { compose, paragraph } from '../messages/compose.ts';
import { absolute, greeting, sessionFacts } from '../messages/facts.ts';
import { queueMessage } from '../messages/outbox.ts';
import { sessionForChange } from '../publishing/sessions/service.ts';
import * as q from './queries.ts';

/** Sets (or, with null, removes) the bookings a session needs to go ahead. */
export async function changeMinimum(tx: Tx, actor: ActorInRole, sessionId: string, minimum: number | null, now = new Date()) {
  const session = await sessionForChange(tx, actor, sessionId);
  if (session.status === 'cancelled')
    throw new DomainError('session_cancelled', 'This session has been cancelled, so it can no longer be changed', 'minimumBookings');
  if (session.startsAt <= now) throw new DomainError('session_started', 'This session has already started, so it can no longer be changed', 'minimumBookings');
  if (minimum !== null && minimum > session.capacity) {
    throw new DomainError('not_enough_places', `The session has ${session.capacity} places: enter ${session.capacity} or fewer`, 'minimumBookings');
  }
  await q.setMinimum(tx, sessionId, minimum);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'session_minimum_set',
    subjectType: 'taster_session',
    subjectId: sessionId,
    details: { minimum },
    address: actor.address ?? null,
  });
}

/** The provider's choice when a session is short: it goes ahead as it is. */
export async function runAnyway(tx: Tx, actor: ActorInRole, sessionId: string, now = new Date()) {
  const session = await sessionForChange(tx, actor, sessionId);
  if (session.status !== 'published' || session.startsAt <= now) throw new NotFoundError();
  await q.setRunAnyway(tx, sessionId, actor.id, now);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'session_run_anyway',
    subjectType: 'taster_session',
    subjectId: sessionId,
    details: {},
    address: actor.address ?? null,
  });
}

/**
 * The scheduled check: each session short of its minimum at its check time (MINIMUM_CHECK_HOURS
 * before it starts) is marked as told and its organisation's staff are emailed, once, in one
 * transaction per session; they run it anyway or cancel it from its page. Running twice tells nobody twice.
 */
export async function tellShortSessions(db: Db, context: { now: Date; hours: number; baseUrl: string }): Promise<number> {
  let queued = 0;
  for (const session of await q.shortSessionsToTell(db, context.now, context.hours)) {
    queued += await inTransaction(db, async (tx) => {
      if (!(await q.markTold(tx, session.id, context.now))) return 0;
      let sent = 0;
      for (const person of await q.staffOf(tx, session.organisationId)) {
        const message = compose({
          subject: `Only ${session.confirmed} booked: ${session.title} on ${h.shortDate(session.startsAt)}`,
          heading: 'A taster session is short of its minimum',
          greeting: greeting(person.name),
          blocks: [
            paragraph(
              `${session.title} on ${h.date(session.startsAt)} needs ${session.minimumBookings} bookings to run, and ${session.confirmed} ${session.confirmed === 1 ? 'person has' : 'people have'} booked.`,
            ),
            sessionFacts(session),
            paragraph('Choose on the session page whether to run it anyway or cancel it. If you cancel it, everyone booked or waiting is told by email.'),
            { type: 'action', text: 'Decide on the session page', href: absolute(context.baseUrl, `/sessions/${session.id}`) },
          ],
          footer: [paragraph('You get this email because you run taster sessions for your organisation.')],
        });
        if (
          await queueMessage(tx, {
            dedupeKey: `session_below_minimum:${session.id}:${person.id}`,
            kind: 'session_below_minimum',
            to: person.email,
            recipientId: person.id,
            ...message,
          })
        )
          sent++;
      }
      return sent;
    });
  }
  return queued;
}
