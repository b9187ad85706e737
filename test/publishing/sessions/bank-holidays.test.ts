import { DateTime } from 'luxon';
import t from 'tap';
import { addDays, londonParts } from '../../../src/lib/london-time.ts';
import { bankHolidays, nationOfPostcode } from '../../../src/publishing/sessions/bank-holidays.ts';
import { createOffer, createVenue } from '../../fixtures/builders.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, decodeHtml, errorSummary, fieldError } from '../../helper.ts';
import { count, dateFields, LEFT_OUT_DATES_FIELD, seriesFields, sessionFields } from '../helpers.ts';

/**
 * Bank holidays on the "check the dates" step of a new series. The expected lists are gov.uk's
 * published bank holidays (https://www.gov.uk/bank-holidays), copied here as the test's own record:
 * the days off work, so a holiday on a weekend appears only as its substitute weekday.
 */
const govUk: Record<string, Record<number, string[]>> = {
  'england-and-wales': {
    2020: ['2020-01-01', '2020-04-10', '2020-04-13', '2020-05-08', '2020-05-25', '2020-08-31', '2020-12-25', '2020-12-28'],
    2022: ['2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19', '2022-12-26', '2022-12-27'],
    2023: ['2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25', '2023-12-26'],
    2025: ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26'],
    2026: ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28'],
    2027: ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28'],
  },
  scotland: {
    2022: [
      '2022-01-03',
      '2022-01-04',
      '2022-04-15',
      '2022-05-02',
      '2022-06-02',
      '2022-06-03',
      '2022-08-01',
      '2022-09-19',
      '2022-11-30',
      '2022-12-26',
      '2022-12-27',
    ],
    2025: ['2025-01-01', '2025-01-02', '2025-04-18', '2025-05-05', '2025-05-26', '2025-08-04', '2025-12-01', '2025-12-25', '2025-12-26'],
    2026: ['2026-01-01', '2026-01-02', '2026-04-03', '2026-05-04', '2026-05-25', '2026-08-03', '2026-11-30', '2026-12-25', '2026-12-28'],
    2027: ['2027-01-01', '2027-01-04', '2027-03-26', '2027-05-03', '2027-05-31', '2027-08-02', '2027-11-30', '2027-12-27', '2027-12-28'],
  },
  'northern-ireland': {
    2025: ['2025-01-01', '2025-03-17', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-07-14', '2025-08-25', '2025-12-25', '2025-12-26'],
    2026: ['2026-01-01', '2026-03-17', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-07-13', '2026-08-31', '2026-12-25', '2026-12-28'],
    2027: ['2027-01-01', '2027-03-17', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-07-12', '2027-08-30', '2027-12-27', '2027-12-28'],
  },
};

t.test("each nation's bank holidays match gov.uk's list, substitute days included and weekend dates left out", async (t) => {
  for (const [nation, years] of Object.entries(govUk)) {
    for (const [year, expected] of Object.entries(years)) {
      const found = await bankHolidays(nation as keyof typeof govUk & 'scotland', [Number(year)]);
      t.same([...found.keys()].sort(), expected, `${nation} ${year}`);
    }
  }
  const eng2026 = await bankHolidays('england-and-wales', [2026]);
  t.equal(eng2026.get('2026-12-28'), 'Boxing Day (substitute day)', 'the substitute day is named as such');
  t.notOk(eng2026.has('2026-12-26'), 'Boxing Day on a Saturday is not a day off work');
  const sct2027 = await bankHolidays('scotland', [2027]);
  t.equal(sct2027.get('2027-01-04'), 'January 2nd (substitute day)');
});

t.test("the nation is the venue's postcode area", async (t) => {
  const cases: Array<[string, string]> = [
    ['OX1 3BG', 'england-and-wales'],
    ['CF10 1EP', 'england-and-wales'],
    ['LL57 2DG', 'england-and-wales'],
    ['GL1 1AA', 'england-and-wales'],
    ['G1 1XQ', 'scotland'],
    ['EH1 1YZ', 'scotland'],
    ['ZE1 0AA', 'scotland'],
    ['TD1 1BA', 'scotland'],
    ['TD15 1BN', 'england-and-wales'],
    ['BT1 5GS', 'northern-ireland'],
  ];
  for (const [postcode, nation] of cases) t.equal(nationOfPostcode(postcode), nation, postcode);
});

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const { visitor, user } = await signedIn(app, db, 'provider');
const organisationId = user.organisationId!;
const offer = await createOffer(db, organisationId);
const oxford = await createVenue(db, organisationId, { postcode: 'OX1 3BG' });
const edinburgh = await createVenue(db, organisationId, { town: 'Edinburgh', postcode: 'EH1 1YZ' });
const newSession = `/offers/${offer.id}/sessions/new`;

const weekday = (isoDate: string) => DateTime.fromISO(isoDate).weekday;
const today = londonParts(new Date()).isoDate;
/** The first year from now whose date (MM-DD) is a weekday at least three weeks ahead. */
function nextWeekday(monthDay: string): string {
  for (let year = Number(today.slice(0, 4)); ; year++) {
    const isoDate = `${year}-${monthDay}`;
    if (isoDate > addDays(today, 21) && weekday(isoDate) <= 5) return isoDate;
  }
}

/** The dates the "check the dates" step lists, with whether each is ticked (to be left out) and its note. */
function listedDates(html: string): Array<{ date: string; ticked: boolean; note: string | null }> {
  return [
    ...html.matchAll(
      /<input class="nhsuk-checkboxes__input" id="[^"]+" name="skip" type="checkbox" value="([0-9-]+)"( checked)?[^>]*>[\s\S]*?<\/label>\s*(?:<div class="nhsuk-hint nhsuk-checkboxes__hint"[^>]*>([^<]*)<\/div>)?/g,
    ),
  ].map((m) => ({ date: m[1]!, ticked: m[2] !== undefined, note: m[3] ? decodeHtml(m[3]) : null }));
}

// Christmas Day on a weekday is a bank holiday everywhere, and New Year's Day a week later falls on
// the same weekday: a four-week series from two weeks before Christmas meets both.
const christmas = nextWeekday('12-25');
const fromChristmas = (days: number) => addDays(christmas, days);

t.test('a series shows its dates first, with the bank holidays marked and ticked to skip; nothing is saved yet', async (t) => {
  const before = await count(db, 'tasterSessions');
  const first = fromChristmas(-14);
  const response = await visitor.post(newSession, sessionFields(oxford.id, { ...dateFields(first), repeatWeeks: '4' }));
  t.equal(response.statusCode, 200);
  t.same(listedDates(response.body), [
    { date: first, ticked: false, note: null },
    { date: fromChristmas(-7), ticked: false, note: null },
    { date: christmas, ticked: true, note: 'Bank holiday: Christmas Day' },
    { date: fromChristmas(7), ticked: true, note: "Bank holiday: New Year's Day" },
  ]);
  t.match(response.body, /Bank holidays in England and Wales, where the venue is/);
  t.match(response.body, new RegExp(`name="datesFor" value="${first}/4"`));
  t.equal(await count(db, 'tasterSessions'), before, 'nothing stored before the dates are checked');
});

t.test('the provider skips the bank holidays and a closure of their own: the rest is one series', async (t) => {
  const first = fromChristmas(-14);
  const response = await visitor.post(
    newSession,
    sessionFields(oxford.id, { ...dateFields(first), ...seriesFields(first, 4, [christmas, fromChristmas(-7)]) }),
  );
  t.equal(response.statusCode, 303);
  const made = await db.selectFrom('tasterSessions').selectAll().where('offerId', '=', offer.id).orderBy('startsAt').execute();
  t.same(
    made.map((s) => londonParts(s.startsAt).isoDate),
    [first, fromChristmas(7)],
    'the two dates kept; Christmas Day and the closure skipped',
  );
  t.ok(made[0]!.seriesId && made[0]!.seriesId === made[1]!.seriesId, 'still one series');
  t.same(
    made.map((s) => londonParts(s.startsAt).time),
    ['14:00', '14:00'],
  );
  await db.deleteFrom('tasterSessions').where('offerId', '=', offer.id).execute();
});

t.test("a Scottish venue's series is checked against Scotland's bank holidays", async (t) => {
  const standrews = nextWeekday('11-30');
  const first = addDays(standrews, -14);
  const response = await visitor.post(newSession, sessionFields(edinburgh.id, { ...dateFields(first), repeatWeeks: '3' }));
  t.equal(response.statusCode, 200);
  t.match(response.body, /Bank holidays in Scotland, where the venue is/);
  t.same(listedDates(response.body).at(-1), { date: standrews, ticked: true, note: 'Bank holiday: St Andrew’s Day' });
  const english = await visitor.post(newSession, sessionFields(oxford.id, { ...dateFields(first), repeatWeeks: '3' }));
  t.same(listedDates(english.body).at(-1), { date: standrews, ticked: false, note: null }, 'not a bank holiday in England');
});

t.test('changing the first date or the weeks after the dates were shown shows them again, saving nothing', async (t) => {
  const first = fromChristmas(-14);
  const before = await count(db, 'tasterSessions');
  const moved = await visitor.post(newSession, sessionFields(oxford.id, { ...dateFields(fromChristmas(-13)), ...seriesFields(first, 4) }));
  t.equal(moved.statusCode, 200);
  t.equal(listedDates(moved.body)[0]!.date, fromChristmas(-13));
  const longer = await visitor.post(newSession, sessionFields(oxford.id, { ...dateFields(first), ...seriesFields(first, 4), repeatWeeks: '5' }));
  t.equal(longer.statusCode, 200);
  t.equal(listedDates(longer.body).length, 5);
  t.equal(await count(db, 'tasterSessions'), before);
});

t.test('skipped dates: malformed, too many, every date, and hostile values are refused with a message', async (t) => {
  const first = fromChristmas(-14);
  const base = sessionFields(oxford.id, { ...dateFields(first), ...seriesFields(first, 4) });
  const before = await count(db, 'tasterSessions');

  const malformed = await visitor.post(newSession, { ...base, [LEFT_OUT_DATES_FIELD]: 'Christmas' });
  t.equal(malformed.statusCode, 400);
  t.equal(fieldError(malformed.body, 'skip'), 'Select the dates to skip from the list');

  const tooMany = await visitor.post(newSession, { ...base, [LEFT_OUT_DATES_FIELD]: Array.from({ length: 27 }, (_, i) => addDays(first, i)).join('\n') });
  t.equal(tooMany.statusCode, 400);
  t.equal(fieldError(tooMany.body, 'skip'), 'Select the dates to skip from the list');

  const everything = await visitor.post(newSession, {
    ...base,
    ...seriesFields(
      first,
      4,
      [0, 7, 14, 21].map((d) => addDays(first, d)),
    ),
  });
  t.equal(everything.statusCode, 400);
  t.same(errorSummary(everything.body), ['skip: Keep at least one date in the series']);
  t.equal(listedDates(everything.body).length, 4, 'the dates are shown again beside the message');

  const hostile = await visitor.post(newSession, { ...base, [LEFT_OUT_DATES_FIELD]: `${christmas}\u0000` });
  t.equal(hostile.statusCode, 400);

  const longSignature = await visitor.post(newSession, { ...base, datesFor: 'x'.repeat(41) });
  t.equal(longSignature.statusCode, 400);
  t.equal(await count(db, 'tasterSessions'), before, 'nothing stored');
});

t.test('a single session has no dates to check', async (t) => {
  const response = await visitor.post(newSession, sessionFields(oxford.id, dateFields(fromChristmas(-14))));
  t.equal(response.statusCode, 303);
});
