import { z } from 'zod';
import { calendarPart } from '../bookings/calendar/part.ts';
import type { MessageAttachment } from '../db/tables/messages.ts';
import { type Block, compose, paragraph, type Written } from './compose.ts';
import { absolute, greeting, recipientFacts, sessionFactsJson, whenText, whereText } from './facts.ts';

/*
 * The emails about a change to a whole series (issue 16, item 3): one per person for the change,
 * listing each of their sessions it touched, queued as facts under the sessions' locks
 * (publishing/sessions/series-queries.ts) and written here by the delivery worker. Each session
 * with a place carries its own calendar event (same UID as the booking email, SEQUENCE raised), as
 * the single-session emails do: one iCalendar object per event, since an iTIP message is about one UID.
 */

const booking = z.object({ id: z.string(), status: z.enum(['confirmed', 'waitlisted', 'cancelled']), sequence: z.number().int().optional() });
const organizer = z.string().nullable().optional();

const changedItem = z.object({
  organizer,
  booking,
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
const seriesChangedFacts = z.object({ ...recipientFacts, sessions: z.array(changedItem).min(1) });

const cancelledItem = z.object({ organizer, booking, session: sessionFactsJson });
const seriesCancelledFacts = z.object({ ...recipientFacts, sessions: z.array(cancelledItem).min(1) });

type Recipient = { baseUrl: string | null; email?: string | undefined };

/** One calendar file per session with a place, numbered so a mail program keeps them apart. */
function calendarParts(facts: Recipient, items: Array<z.infer<typeof cancelledItem>>, method: 'REQUEST' | 'CANCEL', now: Date): MessageAttachment[] {
  const parts: MessageAttachment[] = [];
  for (const item of items) {
    if (item.booking.status !== 'confirmed') continue;
    const part = calendarPart(
      { baseUrl: facts.baseUrl, email: facts.email, organizer: item.organizer, booking: item.booking, session: item.session },
      method,
      now,
    );
    if (part) parts.push({ ...part, filename: part.filename.replace(/\.ics$/, `-${parts.length + 1}.ics`) });
  }
  return parts;
}

/** The facts promise at least one session (the statement groups by person); the types cannot say so. */
function firstSession(items: Array<{ session: z.infer<typeof sessionFactsJson> }>) {
  const [head] = items;
  if (!head) throw new Error('a series email with no session in its facts');
  return head.session;
}

const sessionCount = (n: number) => (n === 1 ? 'a taster session' : `${n} taster sessions`);

/** "The time and place of 4 taster sessions has changed", listing each session, old and new. */
export function writeSeriesChanged(recorded: unknown, now = new Date()): Written {
  const facts = seriesChangedFacts.parse(recorded);
  const { sessions } = facts;
  const first = firstSession(sessions);
  const timeChanged = sessions.some((s) => s.timeChanged);
  const placeChanged = sessions.some((s) => s.placeChanged);
  const what = timeChanged && placeChanged ? 'time and place' : timeChanged ? 'time' : 'place';
  const attachments = calendarParts(facts, sessions, 'REQUEST', now);
  const blocks: Block[] = [
    paragraph(
      `${first.organisationName} has changed the ${what} of ${sessions.length === 1 ? 'a taster session' : `${sessions.length} taster sessions`} of ${first.title} that you have booked or are waiting for. ${sessions.length === 1 ? 'It is' : 'They are'} now:`,
    ),
  ];
  for (const item of sessions) {
    blocks.push({
      type: 'facts',
      rows: [
        { label: 'When', value: whenText(item.session) },
        ...(item.timeChanged ? [{ label: 'It was', value: whenText(item.before) }] : []),
        { label: 'Where', value: whereText(item.session) },
        ...(item.placeChanged ? [{ label: 'It was at', value: whereText(item.before) }] : []),
        { label: 'You', value: item.booking.status === 'confirmed' ? 'have a place, which is kept' : 'are on the waiting list' },
      ],
    });
  }
  blocks.push(paragraph('If you can no longer go, please cancel your place or leave the waiting list, so someone else can have it.'));
  if (attachments.length) blocks.push(paragraph('The attached calendar files update the events in your calendar.'));
  blocks.push(
    facts.baseUrl
      ? { type: 'action', text: 'See your bookings', href: absolute(facts.baseUrl, '/my-bookings') }
      : paragraph('Sign in to Tasters and open My bookings to see them.'),
  );
  return {
    ...compose({
      subject: `Changed ${what}: ${first.title}${sessions.length > 1 ? ` (${sessions.length} sessions)` : ''}`,
      heading: `The ${what} of ${sessionCount(sessions.length)} you booked has changed`,
      greeting: greeting(facts.name),
      blocks,
    }),
    attachments,
  };
}

/** "The organiser cancelled 4 taster sessions", with the reason, listing each. */
export function writeSeriesCancelled(recorded: unknown, now = new Date()): Written {
  const facts = seriesCancelledFacts.parse(recorded);
  const { sessions } = facts;
  const first = firstSession(sessions);
  const attachments = calendarParts(facts, sessions, 'CANCEL', now);
  const blocks: Block[] = [
    paragraph(
      `${first.organisationName} has cancelled ${sessions.length === 1 ? 'a taster session' : `${sessions.length} taster sessions`} of ${first.title} that you booked or were waiting for, so ${sessions.length === 1 ? 'it' : 'they'} will not take place:`,
    ),
  ];
  for (const item of sessions)
    blocks.push({
      type: 'facts',
      rows: [
        { label: 'When', value: whenText(item.session) },
        { label: 'Where', value: whereText(item.session) },
      ],
    });
  if (first.cancellationReason) blocks.push({ type: 'facts', rows: [{ label: 'Reason', value: first.cancellationReason }] });
  blocks.push(paragraph('You do not need to do anything. We are sorry for the change of plan.'));
  if (attachments.length) blocks.push(paragraph('The attached calendar files mark the events as cancelled in your calendar.'));
  if (facts.baseUrl) blocks.push({ type: 'action', text: 'Find another taster session', href: absolute(facts.baseUrl, '/find') });
  return {
    ...compose({
      subject: `Cancelled by the organiser: ${first.title}${sessions.length > 1 ? ` (${sessions.length} sessions)` : ''}`,
      heading: `${sessions.length === 1 ? 'A taster session' : `${sessions.length} taster sessions`} you booked ${sessions.length === 1 ? 'has' : 'have'} been cancelled`,
      greeting: greeting(facts.name),
      blocks,
    }),
    attachments,
  };
}
