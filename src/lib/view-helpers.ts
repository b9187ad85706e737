import { DateTime } from 'luxon';

export const LONDON = 'Europe/London';

function london(value: Date | string): DateTime {
  return DateTime.fromJSDate(new Date(value)).setZone(LONDON);
}

/** Small formatting helpers for templates: dates in London time, plain-English counts. */
export const viewHelpers = {
  date: (value: Date | string) => london(value).toFormat('cccc d LLLL yyyy'),
  shortDate: (value: Date | string) => london(value).toFormat('d LLL yyyy'),
  time: (value: Date | string) => london(value).toFormat('h:mma').toLowerCase().replace(':00', ''),
  dateTime: (value: Date | string) => london(value).toFormat("d LLLL yyyy 'at' h:mma").replace(':00', '').replace(/AM|PM/, (m) => m.toLowerCase()),
  isoDate: (value: Date | string) => london(value).toISODate() ?? '',
  number: (value: number) => value.toLocaleString('en-GB'),
  plural: (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`,
  errorId: (field: string) => `${field}-error`,
};

export type ViewHelpers = typeof viewHelpers;
