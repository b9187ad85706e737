import type { TasterSessionRow } from '../../db/tables/publishing.ts';
import { addLondonWeeks, londonParts } from '../../lib/london-time.ts';
import { DEFAULT_CLOSING_HOURS } from './schemas.ts';

type SessionFields = Pick<
  TasterSessionRow,
  'startsAt' | 'endsAt' | 'bookingClosesAt' | 'isOnline' | 'venueId' | 'joiningInstructions' | 'capacity' | 'whatToBring' | 'accessNotes' | 'facilitatorNote'
>;

/** A stored session as the form shows it: London dates and times, the deadline blank when it is the default. */
export function sessionValues(session: SessionFields): Record<string, string> {
  const start = londonParts(session.startsAt);
  const end = londonParts(session.endsAt);
  const isDefaultDeadline = session.startsAt.getTime() - session.bookingClosesAt.getTime() === DEFAULT_CLOSING_HOURS * 3_600_000;
  const closes = londonParts(session.bookingClosesAt);
  return {
    dateDay: start.day,
    dateMonth: start.month,
    dateYear: start.year,
    startTime: start.time,
    endTime: end.time,
    where: session.isOnline ? 'online' : 'venue',
    venueId: session.venueId ?? '',
    joiningInstructions: session.joiningInstructions ?? '',
    capacity: String(session.capacity),
    closesDay: isDefaultDeadline ? '' : closes.day,
    closesMonth: isDefaultDeadline ? '' : closes.month,
    closesYear: isDefaultDeadline ? '' : closes.year,
    closesTime: isDefaultDeadline ? '' : closes.time,
    whatToBring: session.whatToBring,
    accessNotes: session.accessNotes,
    facilitatorNote: session.facilitatorNote,
    repeatWeeks: '1',
  };
}

/**
 * A copy starts as the same session a week later (same London time). If even that has passed,
 * the dates are left for the person to fill in.
 */
export function copyValues(session: SessionFields, now: Date): Record<string, string> {
  const startsAt = addLondonWeeks(session.startsAt, 1);
  const endsAt = addLondonWeeks(session.endsAt, 1);
  const bookingClosesAt = addLondonWeeks(session.bookingClosesAt, 1);
  if (!startsAt || !endsAt || !bookingClosesAt || startsAt <= now) {
    const values = sessionValues(session);
    for (const field of ['dateDay', 'dateMonth', 'dateYear', 'closesDay', 'closesMonth', 'closesYear', 'closesTime']) values[field] = '';
    return values;
  }
  return sessionValues({ ...session, startsAt, endsAt, bookingClosesAt });
}
