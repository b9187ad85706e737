import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { type CalendarMethod, LONDON_VTIMEZONE } from '../bookings/calendar/ics.ts';
import type { MessageAttachment } from '../db/tables/messages.ts';
import { viewHelpers as h, LONDON } from '../lib/view-helpers.ts';
import type { Written } from '../messages/compose.ts';
import { type Block, compose, paragraph } from '../messages/compose.ts';
import { absolute, greeting, preferencesFooter, recipientFacts } from '../messages/facts.ts';

/**
 * The emails of taster days, written by the delivery worker (src/delivery/render.ts) from the facts
 * that message-queries.ts recorded under the day's lock: the day, the person's registration and
 * the programme with their own choices, as they were at the change.
 */

const status = z.enum(['confirmed', 'waitlisted', 'cancelled']);

const place = {
  venueName: z.string().nullable(),
  addressLine1: z.string().nullable(),
  addressLine2: z.string().nullable(),
  town: z.string().nullable(),
  postcode: z.string().nullable(),
};

const dayFacts = z.object({
  ...recipientFacts,
  registration: z.object({
    id: z.string(),
    status,
    audience: z.enum(['link_worker', 'cultural']),
    position: z.number().int().nullable(),
    sequence: z.number().int(),
  }),
  day: z.object({
    id: z.string(),
    status: z.enum(['draft', 'published', 'cancelled']),
    title: z.string(),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date(),
    bookingClosesAt: z.coerce.date(),
    cancellationReason: z.string().nullable(),
    ...place,
  }),
  programme: z.array(
    z.object({
      kind: z.enum(['plenary', 'slot']),
      title: z.string(),
      startsAt: z.coerce.date(),
      endsAt: z.coerce.date(),
      taster: z.object({ tasterId: z.string(), title: z.string(), organisationName: z.string(), room: z.string(), whatToBring: z.string(), status }).nullable(),
    }),
  ),
  /** day_changed: the day's time and venue before, when the day itself moved. */
  before: z
    .object({ startsAt: z.coerce.date(), endsAt: z.coerce.date(), venueId: z.string(), ...place })
    .nullable()
    .optional(),
  /** day_changed: the chosen tasters whose time or room changed, as they were. */
  tasters: z.array(z.object({ tasterId: z.string(), title: z.string(), room: z.string(), startsAt: z.coerce.date(), endsAt: z.coerce.date() })).optional(),
  promotedTaster: z.string().optional(),
  removedTaster: z.string().optional(),
  links: z.object({ releaseUrl: z.string(), unsubscribeUrl: z.string().nullable().optional(), preferencesUrl: z.string() }).optional(),
});

export type DayMessageFacts = z.infer<typeof dayFacts>;

export const audienceWords = { link_worker: 'link worker', cultural: 'cultural-sector staff' } as const;

const placeLines = (p: { venueName: string | null; addressLine1: string | null; addressLine2: string | null; town: string | null; postcode: string | null }) =>
  [p.venueName, p.addressLine1, p.addressLine2, p.town, p.postcode].filter((line): line is string => Boolean(line));

const whenText = (x: { startsAt: Date; endsAt: Date }) => `${h.date(x.startsAt)}, ${h.time(x.startsAt)} to ${h.time(x.endsAt)}`;
const hours = (x: { startsAt: Date; endsAt: Date }) => `${h.time(x.startsAt)} to ${h.time(x.endsAt)}`;

function dayBlock(day: DayMessageFacts['day']): Block {
  return {
    type: 'facts',
    rows: [
      { label: 'What', value: day.title },
      { label: 'When', value: whenText(day) },
      { label: 'Where', value: placeLines(day).join('\n') },
    ],
  };
}

/** The programme in time order: everyone's items, and in each slot the person's own taster with its room and what to bring. */
function programmeBlock(facts: DayMessageFacts): Block {
  return {
    type: 'facts',
    rows: facts.programme.map((item) => {
      if (item.kind === 'plenary') return { label: hours(item), value: item.title };
      const t = item.taster;
      if (!t) return { label: hours(item), value: `${item.title}: no taster chosen` };
      const standing =
        t.status === 'confirmed' ? '' : facts.registration.status === 'confirmed' ? ' (waiting list)' : ' (waiting for a place on the day first)';
      return {
        label: hours(item),
        value: [
          `${t.title}, run by ${t.organisationName}${standing}`,
          t.room ? `Room: ${t.room}` : null,
          t.whatToBring ? `What to bring: ${t.whatToBring}` : null,
        ]
          .filter(Boolean)
          .join('\n'),
      };
    }),
  };
}

function dayLink(facts: DayMessageFacts): Block {
  return facts.baseUrl
    ? { type: 'action', text: 'See the day and your choices', href: absolute(facts.baseUrl, `/days/${facts.day.id}`) }
    : paragraph('Sign in to Tasters and open Taster days to see it.');
}

/**
 * The calendar part for a registration's event (UID from the registration's id, so every later
 * email updates the same event), or null without the site's address, or for a REQUEST or CANCEL
 * without an organizer and attendee. A waiting registration has no event.
 */
export function dayCalendarPart(facts: DayMessageFacts, method: CalendarMethod, now: Date): MessageAttachment | null {
  const { baseUrl, registration, day } = facts;
  const organizer = facts.organizer ?? null;
  const attendee = facts.email ?? null;
  if (!baseUrl) return null;
  if (method !== 'PUBLISH' && (!organizer || !attendee)) return null;
  const link = absolute(baseUrl, `/days/${day.id}`);
  const cancelled = method === 'CANCEL';
  const calendar = ical({ name: 'Tasters day', prodId: { company: 'Tasters', product: 'Days', language: 'EN' } });
  calendar.timezone({ name: null, generator: (zone) => (zone === LONDON ? LONDON_VTIMEZONE : null) });
  calendar.method(method === 'PUBLISH' ? ICalCalendarMethod.PUBLISH : method === 'REQUEST' ? ICalCalendarMethod.REQUEST : ICalCalendarMethod.CANCEL);
  const programme = facts.programme
    .map(
      (item) =>
        `${hours(item)} ${item.kind === 'slot' && item.taster ? `${item.taster.title}${item.taster.room ? ` (${item.taster.room})` : ''}` : item.title}`,
    )
    .join('\n');
  calendar.createEvent({
    id: `day-registration-${registration.id}@${new URL(baseUrl).hostname}`,
    sequence: registration.sequence,
    start: DateTime.fromJSDate(day.startsAt).setZone(LONDON),
    end: DateTime.fromJSDate(day.endsAt).setZone(LONDON),
    timezone: LONDON,
    summary: `${cancelled ? 'Cancelled: ' : ''}Taster day: ${day.title}`,
    location: placeLines(day).join(', '),
    description: [
      cancelled ? `This day has been cancelled${day.cancellationReason ? `: ${day.cancellationReason}` : ''}.` : 'You have a place.',
      cancelled ? null : programme,
      `The day: ${link}`,
    ]
      .filter(Boolean)
      .join('\n\n'),
    url: link,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    stamp: now,
    organizer: organizer ? { name: 'Tasters', email: organizer } : null,
    attendees: method !== 'PUBLISH' && attendee ? [{ email: attendee, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.ACCEPTED, rsvp: false }] : [],
  });
  return {
    filename: cancelled ? 'cancelled-taster-day.ics' : 'taster-day.ics',
    contentType: `text/calendar; charset=utf-8; method=${method}`,
    content: `${calendar.toString()}\r\n`,
  };
}

const calendarNote = paragraph('The attached calendar file adds the day to your calendar.');

/** "You are registered" (with a place, or waiting with the position), with the programme. */
export function writeDayRegistered(recorded: unknown, now = new Date()): Written {
  const facts = dayFacts.parse(recorded);
  const { day, registration } = facts;
  const withPlace = registration.status === 'confirmed';
  const calendar = withPlace ? dayCalendarPart(facts, 'PUBLISH', now) : null;
  const audience = audienceWords[registration.audience];
  return {
    ...compose({
      subject: withPlace ? `Registered: ${day.title}` : `Waiting list: ${day.title}`,
      heading: withPlace ? 'You have a place on a taster day' : 'You are on the waiting list for a taster day',
      greeting: greeting(facts.name),
      blocks: [
        paragraph(
          withPlace
            ? `You have a place on this taster day, as ${audience}:`
            : `The places for ${audience} on this taster day are taken. You are number ${registration.position ?? 1} on the waiting list:`,
        ),
        dayBlock(day),
        paragraph('Your programme:'),
        programmeBlock(facts),
        ...(withPlace ? [] : [paragraph('If a place becomes free before the day, it goes to the person who has waited longest, and we will email you.')]),
        dayLink(facts),
        ...(calendar ? [calendarNote] : []),
        paragraph('If you cannot go, please cancel on the day’s page so someone on the waiting list can have your place.'),
      ],
    }),
    attachments: calendar ? [calendar] : [],
  };
}

/** "A place on the day is yours": promoted from the audience's waiting list. */
export function writeDayPromoted(recorded: unknown, now = new Date()): Written {
  const facts = dayFacts.parse(recorded);
  const calendar = dayCalendarPart(facts, 'PUBLISH', now);
  return {
    ...compose({
      subject: `You have a place: ${facts.day.title}`,
      heading: 'A place on the taster day has become free and it is yours',
      greeting: greeting(facts.name),
      blocks: [
        paragraph(`A place for ${audienceWords[facts.registration.audience]} has become free on this taster day, and it is yours:`),
        dayBlock(facts.day),
        paragraph('Your programme:'),
        programmeBlock(facts),
        dayLink(facts),
        ...(calendar ? [calendarNote] : []),
        paragraph('If you can no longer go, please cancel so the next person can have it.'),
      ],
    }),
    attachments: calendar ? [calendar] : [],
  };
}

/** "A place on a taster is yours": promoted from that taster's waiting list. */
export function writeDayTasterPromoted(recorded: unknown): Written {
  const facts = dayFacts.parse(recorded);
  const taster = facts.promotedTaster ?? 'a taster';
  return {
    ...compose({
      subject: `You have a place on ${taster}: ${facts.day.title}`,
      heading: `A place on ${taster} is yours`,
      greeting: greeting(facts.name),
      blocks: [
        paragraph(`A place has become free on ${taster}, which you chose for this taster day, and it is yours:`),
        dayBlock(facts.day),
        paragraph('Your programme:'),
        programmeBlock(facts),
        dayLink(facts),
      ],
    }),
    attachments: [],
  };
}

/**
 * "The time or place has changed": the day's time or venue, or the time or room of a taster the
 * person chose. Someone with a place gets the event again (REQUEST, same UID, higher SEQUENCE).
 */
export function writeDayChanged(recorded: unknown, now = new Date()): Written {
  const facts = dayFacts.parse(recorded);
  const { day, before } = facts;
  const tasters = facts.tasters ?? [];
  const rows: Array<{ label: string; value: string }> = [];
  if (before) {
    if (new Date(before.startsAt).getTime() !== day.startsAt.getTime() || new Date(before.endsAt).getTime() !== day.endsAt.getTime())
      rows.push({ label: 'The day was', value: whenText(before) });
    if (placeLines(before).join('\n') !== placeLines(day).join('\n')) rows.push({ label: 'It was at', value: placeLines(before).join('\n') });
  }
  for (const t of tasters) {
    const now_ = facts.programme.find((item) => item.taster?.tasterId === t.tasterId);
    const was = [
      now_ && (now_.startsAt.getTime() !== t.startsAt.getTime() || now_.endsAt.getTime() !== t.endsAt.getTime()) ? hours(t) : null,
      now_?.taster && now_.taster.room !== t.room ? `room ${t.room || 'not given'}` : null,
    ].filter(Boolean);
    if (was.length) rows.push({ label: `${t.title} was`, value: was.join(', ') });
  }
  const calendar = facts.registration.status === 'confirmed' ? dayCalendarPart(facts, 'REQUEST', now) : null;
  return {
    ...compose({
      subject: `Changed: ${day.title}`,
      heading: 'Your taster day has changed',
      greeting: greeting(facts.name),
      blocks: [
        paragraph(`The organisers have changed the ${before ? 'time or place of the day' : 'time or room of a taster you chose'}. It is now:`),
        dayBlock(day),
        paragraph('Your programme:'),
        programmeBlock(facts),
        ...(rows.length ? [{ type: 'facts', rows } as Block] : []),
        paragraph(
          facts.registration.status === 'confirmed'
            ? 'Your place is kept. If you can no longer go, please cancel so someone on the waiting list can have it.'
            : 'You are still on the waiting list.',
        ),
        ...(calendar ? [paragraph('The attached calendar file updates the event in your calendar.')] : []),
        dayLink(facts),
      ],
    }),
    attachments: calendar ? [calendar] : [],
  };
}

/** "The day is cancelled", with the reason; a place's event is cancelled (CANCEL, higher SEQUENCE). */
export function writeDayCancelled(recorded: unknown, now = new Date()): Written {
  const facts = dayFacts.parse(recorded);
  const { day } = facts;
  const calendar = facts.registration.status === 'confirmed' ? dayCalendarPart(facts, 'CANCEL', now) : null;
  return {
    ...compose({
      subject: `Cancelled by the organisers: ${day.title}`,
      heading: 'A taster day you registered for has been cancelled',
      greeting: greeting(facts.name),
      blocks: [
        paragraph('The organisers have cancelled this taster day, so it will not take place:'),
        dayBlock(day),
        ...(day.cancellationReason ? [{ type: 'facts', rows: [{ label: 'Reason', value: day.cancellationReason }] } as Block] : []),
        paragraph('You do not need to do anything. We are sorry for the change of plan.'),
        ...(calendar ? [paragraph('The attached calendar file marks the event as cancelled in your calendar.')] : []),
        ...(facts.baseUrl ? [{ type: 'action', text: 'See other taster days', href: absolute(facts.baseUrl, '/days') } as Block] : []),
      ],
    }),
    attachments: calendar ? [calendar] : [],
  };
}

/** "A taster you chose will not run": the slot is open to choose again while registration is open. */
export function writeDayTasterRemoved(recorded: unknown): Written {
  const facts = dayFacts.parse(recorded);
  const taster = facts.removedTaster ?? 'A taster';
  return {
    ...compose({
      subject: `${taster} will not run: ${facts.day.title}`,
      heading: `${taster} will no longer run`,
      greeting: greeting(facts.name),
      blocks: [
        paragraph(`The organisers have taken ${taster} off the programme of this taster day, so your choice of it has gone:`),
        dayBlock(facts.day),
        paragraph('Your programme now:'),
        programmeBlock(facts),
        paragraph('You can choose another taster for that part of the day on the day’s page while registration is open.'),
        dayLink(facts),
      ],
    }),
    attachments: [],
  };
}

/** The reminder the day before, with the programme and the one-click "release my place". */
export function writeDayReminder(recorded: unknown, now = new Date()): Written {
  const facts = dayFacts.parse(recorded);
  const { day, links } = facts;
  const tomorrow = h.isoDate(day.startsAt) !== h.isoDate(now);
  return {
    ...compose({
      subject: `Reminder: ${day.title} ${tomorrow ? 'tomorrow' : 'today'}`,
      heading: `Your taster day is ${tomorrow ? 'tomorrow' : 'today'}`,
      greeting: greeting(facts.name),
      blocks: [
        paragraph('This is a reminder of the taster day you have a place on:'),
        dayBlock(day),
        paragraph('Your programme:'),
        programmeBlock(facts),
        dayLink(facts),
        ...(links
          ? [
              paragraph('If you cannot come, please release your place so the next person on the waiting list can have it. You do not need to sign in.'),
              { type: 'action', text: 'I can’t come – release my place', href: links.releaseUrl } as Block,
            ]
          : []),
      ],
      footer: [
        paragraph('You get a reminder the day before each taster day you have a place on.'),
        ...(links?.unsubscribeUrl ? [{ type: 'link', text: 'Stop getting reminders', href: links.unsubscribeUrl } as Block] : []),
        ...(facts.baseUrl ? [preferencesFooter(facts.baseUrl)] : []),
      ],
    }),
    attachments: [],
  };
}

export const dayMessageWriters: Record<string, (facts: unknown, now: Date) => Written> = {
  day_registered: writeDayRegistered,
  day_promoted: writeDayPromoted,
  day_taster_promoted: writeDayTasterPromoted,
  day_changed: writeDayChanged,
  day_cancelled: writeDayCancelled,
  day_taster_removed: writeDayTasterRemoved,
  day_reminder: writeDayReminder,
};
