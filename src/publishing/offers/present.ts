import type { OfferRow, Weekday } from '../../db/tables/publishing.ts';
import { dayNames, weekOfMonthNames } from './schemas.ts';

type Schedule = Pick<OfferRow, 'scheduleFrequency' | 'scheduleDays' | 'scheduleWeekOfMonth' | 'scheduleStartTime' | 'scheduleEndTime' | 'scheduleNote'>;
type Cost = Pick<OfferRow, 'isFree' | 'costAmount' | 'costNote'>;

/** "14:30:00" → "2:30pm"; "14:00" → "2pm". */
export function clockTime(time: string): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const suffix = h >= 12 ? 'pm' : 'am';
  const hour = h % 12 === 0 ? 12 : h % 12;
  return m ? `${hour}:${String(m).padStart(2, '0')}${suffix}` : `${hour}${suffix}`;
}

/** "14:30:00" → "14:30", as the form field shows it. */
export function timeInput(time: string | null): string {
  return time ? time.slice(0, 5) : '';
}

function listOf(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** The usual schedule in plain English: "Every Thursday, 2pm to 3:30pm". */
export function describeSchedule(offer: Schedule): string {
  const days = listOf(offer.scheduleDays.map((d: Weekday) => dayNames[d]));
  const times = offer.scheduleStartTime && offer.scheduleEndTime ? `${clockTime(offer.scheduleStartTime)} to ${clockTime(offer.scheduleEndTime)}` : '';
  let when = '';
  if (offer.scheduleFrequency === 'weekly') when = `Every ${days}`;
  else if (offer.scheduleFrequency === 'fortnightly') when = `Every other ${days}`;
  else if (offer.scheduleFrequency === 'monthly') {
    const week = weekOfMonthNames[String(offer.scheduleWeekOfMonth)] ?? '';
    when = `${week} ${days} of the month`.trim();
  }
  const parts = [when, times].filter(Boolean).join(', ');
  return [parts, offer.scheduleNote].filter(Boolean).join('. ') || 'No regular schedule given';
}

export function describeCost(offer: Cost): string {
  if (offer.isFree) return offer.costNote ? `Free. ${offer.costNote}` : 'Free';
  const amount = offer.costAmount !== null ? `£${Number(offer.costAmount).toFixed(2)}` : '';
  return [amount, offer.costNote].filter(Boolean).join('. ');
}

export function describeAges(offer: Pick<OfferRow, 'minAge' | 'maxAge'>): string {
  if (offer.minAge !== null && offer.maxAge !== null) return `${offer.minAge} to ${offer.maxAge}`;
  if (offer.minAge !== null) return `${offer.minAge} and over`;
  if (offer.maxAge !== null) return `Up to ${offer.maxAge}`;
  return 'All ages';
}
