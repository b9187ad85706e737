import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { type Block, compose, paragraph } from './compose.ts';
import { absolute, greeting, sessionFacts, whenText, whereText } from './facts.ts';
import { queueMessage } from './outbox.ts';
import { findSessionFacts, findVenuePlace, listLivePeople } from './queries.ts';

export type SessionPlaceAndTime = { startsAt: Date; endsAt: Date; venueId: string | null; isOnline: boolean };

function sameTimeAndPlace(a: SessionPlaceAndTime, b: SessionPlaceAndTime): boolean {
  return (
    new Date(a.startsAt).getTime() === new Date(b.startsAt).getTime() &&
    new Date(a.endsAt).getTime() === new Date(b.endsAt).getTime() &&
    a.venueId === b.venueId &&
    a.isOnline === b.isOnline
  );
}

function bookingLink(baseUrl: string | undefined, bookingId: string): Block {
  return baseUrl
    ? { type: 'action', text: 'See your booking', href: absolute(baseUrl, `/bookings/${bookingId}`) }
    : paragraph('Sign in to Tasters and open My bookings to see it.');
}

/**
 * Tells everyone booked or waiting that a published session's time or place changed, in the
 * transaction that changes it (call after the update). Each change is its own event, so changing
 * it back later is news again. Returns how many messages were queued.
 */
export async function queueSessionChanged(
  tx: Queryable,
  sessionId: string,
  before: SessionPlaceAndTime,
  options: { baseUrl?: string | undefined } = {},
): Promise<number> {
  const session = await findSessionFacts(tx, sessionId);
  if (!session || session.status !== 'published' || sameTimeAndPlace(before, session)) return 0;
  const timeChanged = new Date(before.startsAt).getTime() !== new Date(session.startsAt).getTime() || new Date(before.endsAt).getTime() !== new Date(session.endsAt).getTime();
  const placeChanged = before.venueId !== session.venueId || before.isOnline !== session.isOnline;
  const oldVenue = before.venueId ? await findVenuePlace(tx, before.venueId) : undefined;
  const oldPlace = { isOnline: before.isOnline, venueName: null, town: null, postcode: null, ...oldVenue };
  const what = timeChanged && placeChanged ? 'time and place' : timeChanged ? 'time' : 'place';
  const event = randomUUID();
  let queued = 0;
  for (const person of await listLivePeople(tx, sessionId)) {
    const message = compose({
      subject: `Changed ${what}: ${session.title}`,
      heading: `The ${what} of your taster session has changed`,
      greeting: greeting(person.name),
      blocks: [
        paragraph(`${session.organisationName} has changed the ${what} of a taster session you ${person.status === 'confirmed' ? 'have a place on' : 'are waiting for'}. It is now:`),
        sessionFacts(session),
        {
          type: 'facts',
          rows: [
            ...(timeChanged ? [{ label: 'It was', value: whenText(before) }] : []),
            ...(placeChanged ? [{ label: 'It was at', value: whereText(oldPlace) }] : []),
          ],
        },
        paragraph(
          person.status === 'confirmed'
            ? 'Your place is kept. If you can no longer go, please cancel so someone on the waiting list can have it.'
            : 'You are still on the waiting list. If you no longer want a place, please leave the waiting list.',
        ),
        bookingLink(options.baseUrl, person.bookingId),
      ],
    });
    if (
      await queueMessage(tx, {
        dedupeKey: `session_changed:${event}:${person.bookingId}`,
        kind: 'session_changed',
        to: person.email,
        recipientId: person.userId,
        ...message,
      })
    ) {
      queued++;
    }
  }
  return queued;
}

/**
 * Tells everyone booked or waiting that the provider cancelled a session, with the reason, in the
 * cancelling transaction (call after the status change). Returns how many messages were queued.
 */
export async function queueSessionCancelled(tx: Queryable, sessionId: string, options: { baseUrl?: string | undefined } = {}): Promise<number> {
  const session = await findSessionFacts(tx, sessionId);
  if (!session || session.status !== 'cancelled') return 0;
  let queued = 0;
  for (const person of await listLivePeople(tx, sessionId)) {
    const message = compose({
      subject: `Cancelled by the organiser: ${session.title}`,
      heading: 'A taster session you booked has been cancelled',
      greeting: greeting(person.name),
      blocks: [
        paragraph(`${session.organisationName} has cancelled this taster session, so it will not take place:`),
        sessionFacts(session),
        ...(session.cancellationReason ? [{ type: 'facts', rows: [{ label: 'Reason', value: session.cancellationReason }] } as Block] : []),
        paragraph('You do not need to do anything. We are sorry for the change of plan.'),
        ...(options.baseUrl ? [{ type: 'action', text: 'Find another taster session', href: absolute(options.baseUrl, '/find') } as Block] : []),
      ],
    });
    if (
      await queueMessage(tx, {
        dedupeKey: `session_cancelled:${person.bookingId}`,
        kind: 'session_cancelled',
        to: person.email,
        recipientId: person.userId,
        ...message,
      })
    ) {
      queued++;
    }
  }
  return queued;
}
