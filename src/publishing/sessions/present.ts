import { categoryNames } from '../../db/tables/publishing.ts';
import { describeAges, describeCost, describeSchedule } from '../offers/present.ts';
import { accessFeatures } from '../venues/schemas.ts';
import type { SessionDetail } from './queries.ts';

/** "1 hour 30 minutes", "45 minutes", "2 hours". */
export function duration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts = [];
  if (hours) parts.push(`${hours} ${hours === 1 ? 'hour' : 'hours'}`);
  if (rest) parts.push(`${rest} ${rest === 1 ? 'minute' : 'minutes'}`);
  return parts.join(' ') || '0 minutes';
}

/**
 * What a link worker reads before booking: the facts of the session, and what to expect in plain
 * English. Built here so templates only lay it out.
 */
export function sessionView(s: SessionDetail, now: Date) {
  const confirmed = s.confirmed ?? 0;
  const waitlisted = s.waitlisted ?? 0;
  const placesLeft = Math.max(0, s.capacity - confirmed);
  const minutes = Math.round((s.endsAt.getTime() - s.startsAt.getTime()) / 60_000);
  const started = s.startsAt <= now;
  const bookingOpen = s.status === 'published' && s.bookingClosesAt > now;
  const access = s.isOnline ? [] : accessFeatures.map(([key, text]) => ({ text, available: Boolean(s[key]) }));

  const place = s.isOnline ? 'online. People with a confirmed place see how to join on this page' : `at ${s.venueName}, ${s.town}`;
  const whatToExpect = [
    `This is a taster of ${s.offerTitle}, an activity run by ${s.organisationName}. It is a chance to try the activity yourself, so you can describe it to the people you support before you refer them.`,
    `It lasts ${duration(minutes)} and takes place ${place}.`,
    s.suits ? `The activity suits: ${s.suits}` : '',
    s.whatToBring ? `Bring: ${s.whatToBring}` : 'You do not need to bring anything.',
    `After the taster you can refer people to the ongoing activity. ${describeSchedule(s)}. Cost to patients: ${describeCost(s)}.`,
  ].filter(Boolean);

  return {
    confirmed,
    waitlisted,
    placesLeft,
    full: placesLeft === 0,
    started,
    over: s.endsAt <= now,
    bookingOpen,
    duration: duration(minutes),
    access,
    whatToExpect,
    categoryName: categoryNames[s.category],
    schedule: describeSchedule(s),
    cost: describeCost(s),
    ages: describeAges(s),
  };
}

export type SessionView = ReturnType<typeof sessionView>;
