import t from 'tap';
import { viewHelpers } from '../../src/lib/view-helpers.ts';

/** Dates and times on pages are London's, however often an instant is shown and in whatever form. */
t.test('the same instant reads the same the first time and every time after', async (t) => {
  const summer = '2027-07-05T13:30:00.000Z';
  const winter = new Date('2027-01-04T13:30:00.000Z');
  for (let round = 0; round < 3; round++) {
    t.equal(viewHelpers.time(summer), '2:30pm', `British Summer Time (round ${round + 1})`);
    t.equal(viewHelpers.time(winter), '1:30pm', `Greenwich Mean Time (round ${round + 1})`);
    t.equal(viewHelpers.date(summer), 'Monday 5 July 2027');
    t.equal(viewHelpers.shortDate(winter), '4 Jan 2027');
    t.equal(viewHelpers.dateTime(summer), '5 July 2027 at 2:30pm');
    t.equal(viewHelpers.isoDate('2027-03-27T23:30:00.000Z'), '2027-03-27', 'before the clocks go forward');
    t.equal(viewHelpers.isoDate('2027-03-28T23:30:00.000Z'), '2027-03-29', 'after, an hour ahead of UTC');
  }
});

t.test('past the instants each form remembers, answers stay right', async (t) => {
  const start = Date.UTC(2027, 0, 4, 9, 0);
  const wrong: string[] = [];
  // Minutes from 9am for 25,000 minutes: more than the forms keep, in and out of summer time.
  for (let minute = 0; minute < 25_000; minute++) {
    const at = new Date(start + minute * 60_000);
    const expected = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', minute: '2-digit', hourCycle: 'h12' })
      .format(at)
      .replace(' ', '')
      .replace(/:00(?=[ap]m)/, '');
    if (viewHelpers.time(at) !== expected) wrong.push(`${at.toISOString()}: ${viewHelpers.time(at)} not ${expected}`);
  }
  t.same(wrong.slice(0, 5), [], 'every time as Intl formats it');
  t.equal(viewHelpers.time(new Date(start)), '9am', 'and the first again after the rest');
});

t.test('a date that is not one is refused, not remembered', async (t) => {
  t.throws(() => viewHelpers.time('not a date'), RangeError);
  t.throws(() => viewHelpers.time('not a date'), RangeError, 'again');
});
