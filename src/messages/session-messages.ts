import { z } from 'zod';
import { calendarPart } from '../bookings/calendar/part.ts';
import type { Tx } from '../db/database.ts';
import type { Written } from './compose.ts';
import { type Block, compose, paragraph } from './compose.ts';
import { absolute, greeting, recipientFacts, sessionFacts, sessionFactsJson, whenText, whereText } from './facts.ts';
import { insertSessionCancelledMessages, insertSessionChangedMessages, type PlaceAndTime } from './queries.ts';

const sameInstant = (a: Date, b: Date) => new Date(a).getTime() === new Date(b).getTime();

function bookingLink(baseUrl: string | null, bookingId: string): Block {
  return baseUrl
    ? { type: 'action', text: 'See your booking', href: absolute(baseUrl, `/bookings/${bookingId}`) }
    : paragraph('Sign in to Tasters and open My bookings to see it.');
}

/**
 * Tells everyone booked or waiting that a published session's time or place changed, in the
 * transaction that changes it (call after the update, with the session's lock held): one
 * statement queues the facts, and the delivery worker writes the emails. Returns how many
 * messages were queued.
 */
export async function queueSessionChanged(
  tx: Tx,
  sessionId: string,
  change: { before: PlaceAndTime; after: PlaceAndTime },
  options: { baseUrl?: string | undefined; mailFrom?: string | undefined } = {},
): Promise<number> {
  const { before, after } = change;
  const timeChanged = !sameInstant(before.startsAt, after.startsAt) || !sameInstant(before.endsAt, after.endsAt);
  const placeChanged = before.venueId !== after.venueId || before.isOnline !== after.isOnline;
  if (!timeChanged && !placeChanged) return 0;
  return insertSessionChangedMessages(tx, sessionId, {
    before,
    timeChanged,
    placeChanged,
    baseUrl: options.baseUrl ?? null,
    mailFrom: options.mailFrom ?? null,
  });
}

/**
 * Tells everyone booked or waiting that the provider cancelled a session, with the reason, in the
 * cancelling transaction (call after the status change): facts now, the emails written by the
 * delivery worker. Returns how many messages were queued.
 */
export async function queueSessionCancelled(
  tx: Tx,
  sessionId: string,
  options: { baseUrl?: string | undefined; mailFrom?: string | undefined } = {},
): Promise<number> {
  return insertSessionCancelledMessages(tx, sessionId, options.baseUrl ?? null, options.mailFrom ?? null);
}

const person = {
  ...recipientFacts,
  booking: z.object({
    id: z.string(),
    status: z.enum(['confirmed', 'waitlisted', 'cancelled']),
    /** The calendar event's SEQUENCE after the change (calendarSequence in queries.ts). */
    sequence: z.number().int().optional(),
  }),
};

const sessionChangedFacts = z.object({
  ...person,
  session: sessionFactsJson,
  before: sessionFactsJson.pick({
    startsAt: true,
    endsAt: true,
    venueId: true,
    isOnline: true,
    venueName: true,
    addressLine1: true,
    addressLine2: true,
    town: true,
    postcode: true,
  }),
  timeChanged: z.boolean(),
  placeChanged: z.boolean(),
});

/**
 * The email about a new time or place. A person with a place gets the event again as a
 * METHOD:REQUEST with the same UID and a higher SEQUENCE, so a calendar that imported it from the
 * booking email moves it; a person waiting has no event, so gets none.
 */
export function writeSessionChanged(recorded: unknown, now = new Date()): Written {
  const parsed = sessionChangedFacts.parse(recorded);
  const { session, before, timeChanged, placeChanged, booking, ...facts } = parsed;
  const calendar = booking.status === 'confirmed' ? calendarPart(parsed, 'REQUEST', now) : null;
  const what = timeChanged && placeChanged ? 'time and place' : timeChanged ? 'time' : 'place';
  return {
    ...compose({
      subject: `Changed ${what}: ${session.title}`,
      heading: `The ${what} of your taster session has changed`,
      greeting: greeting(facts.name),
      blocks: [
        paragraph(
          `${session.organisationName} has changed the ${what} of a taster session you ${booking.status === 'confirmed' ? 'have a place on' : 'are waiting for'}. It is now:`,
        ),
        sessionFacts(session),
        {
          type: 'facts',
          rows: [
            ...(timeChanged ? [{ label: 'It was', value: whenText(before) }] : []),
            ...(placeChanged ? [{ label: 'It was at', value: whereText(before) }] : []),
          ],
        },
        paragraph(
          booking.status === 'confirmed'
            ? 'Your place is kept. If you can no longer go, please cancel so someone on the waiting list can have it.'
            : 'You are still on the waiting list. If you no longer want a place, please leave the waiting list.',
        ),
        ...(calendar ? [paragraph('The attached calendar file updates the event in your calendar.')] : []),
        bookingLink(facts.baseUrl, booking.id),
      ],
    }),
    attachments: calendar ? [calendar] : [],
  };
}

const sessionCancelledFacts = z.object({ ...person, session: sessionFactsJson });

/**
 * The email about the provider cancelling. A person with a place gets a METHOD:CANCEL for the
 * event (same UID, higher SEQUENCE), so a calendar that has it shows it cancelled.
 */
export function writeSessionCancelled(recorded: unknown, now = new Date()): Written {
  const parsed = sessionCancelledFacts.parse(recorded);
  const { session, baseUrl, name } = parsed;
  const calendar = parsed.booking.status === 'confirmed' ? calendarPart(parsed, 'CANCEL', now) : null;
  return {
    ...compose({
      subject: `Cancelled by the organiser: ${session.title}`,
      heading: 'A taster session you booked has been cancelled',
      greeting: greeting(name),
      blocks: [
        paragraph(`${session.organisationName} has cancelled this taster session, so it will not take place:`),
        sessionFacts(session),
        ...(session.cancellationReason ? [{ type: 'facts', rows: [{ label: 'Reason', value: session.cancellationReason }] } as Block] : []),
        paragraph('You do not need to do anything. We are sorry for the change of plan.'),
        ...(calendar ? [paragraph('The attached calendar file marks the event as cancelled in your calendar.')] : []),
        ...(baseUrl ? [{ type: 'action', text: 'Find another taster session', href: absolute(baseUrl, '/find') } as Block] : []),
      ],
    }),
    attachments: calendar ? [calendar] : [],
  };
}
