import t from 'tap';
import { addLondonWeeks, londonInstant, londonParts, parseDateParts, parseTime } from '../../src/lib/london-time.ts';
import { normalisePostcode } from '../../src/lib/postcode.ts';
import { createOffer, createVenue } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, fieldError } from '../helper.ts';
import { dateFields, seriesFields, sessionFields, sessionIdFrom } from '../publishing/helpers.ts';

// The clock changes in the tests are those of 2027 (28 March and 31 October, the last Sundays),
// or of a later year once those have passed, so the sessions are always in the future.
const year = Math.max(2027, new Date().getUTCFullYear() + 1);
function lastSunday(month: number): string {
  const last = new Date(Date.UTC(year, month, 0));
  last.setUTCDate(last.getUTCDate() - last.getUTCDay());
  return last.toISOString().slice(0, 10);
}
const springForward = lastSunday(3);
const fallBack = lastSunday(10);
const shift = (iso: string, days: number) => new Date(Date.parse(`${iso}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

t.test('London wall-clock times become the right instants on both sides of each clock change', async (t) => {
  if (year === 2027) {
    t.equal(springForward, '2027-03-28');
    t.equal(fallBack, '2027-10-31');
  }
  t.equal(londonInstant(shift(springForward, -1), '14:00')!.toISOString(), `${shift(springForward, -1)}T14:00:00.000Z`, 'Saturday before: GMT');
  t.equal(londonInstant(springForward, '14:00')!.toISOString(), `${springForward}T13:00:00.000Z`, 'the Sunday afternoon: BST');
  t.equal(londonInstant(springForward, '00:30')!.toISOString(), `${springForward}T00:30:00.000Z`, 'just before the change: GMT');
  t.equal(londonInstant(springForward, '01:30'), null, '1:30am that Sunday never happens');
  t.equal(londonInstant(springForward, '02:00')!.toISOString(), `${springForward}T01:00:00.000Z`);
  t.equal(londonInstant(shift(fallBack, -1), '14:00')!.toISOString(), `${shift(fallBack, -1)}T13:00:00.000Z`, 'Saturday before: BST');
  t.equal(londonInstant(fallBack, '14:00')!.toISOString(), `${fallBack}T14:00:00.000Z`, 'the Sunday afternoon: GMT');
  t.equal(londonInstant(fallBack, '01:30')!.toISOString(), `${fallBack}T00:30:00.000Z`, 'the repeated hour is taken in BST, the first time');
  t.same(londonParts(new Date(`${fallBack}T14:00:00Z`)), {
    isoDate: fallBack,
    day: String(Number(fallBack.slice(8))),
    month: '10',
    year: String(year),
    time: '14:00',
  });

  const beforeChange = londonInstant(shift(fallBack, -3), '14:00')!;
  const weekLater = addLondonWeeks(beforeChange, 1)!;
  t.equal(londonParts(weekLater).time, '14:00', 'a week later is still 2pm');
  t.equal(weekLater.getTime() - beforeChange.getTime(), (7 * 24 + 1) * 3_600_000, 'which is 169 hours later in autumn');
  const spring = londonInstant(shift(springForward, -3), '14:00')!;
  t.equal(addLondonWeeks(spring, 1)!.getTime() - spring.getTime(), (7 * 24 - 1) * 3_600_000, 'and 167 hours later in spring');
});

t.test('dates and times as people type them', async (t) => {
  t.same(parseDateParts({ day: '28', month: '3', year: '2027' }), { ok: true, isoDate: '2027-03-28' });
  t.same(parseDateParts({ day: '29', month: '2', year: '2027' }), { ok: false, problem: 'invalid' });
  t.same(parseDateParts({ day: '', month: '', year: '' }), { ok: false, problem: 'missing' });
  t.same(parseDateParts({ day: '1', month: '', year: '2027' }), { ok: false, problem: 'incomplete' });
  t.same(parseDateParts({ day: '1', month: '1', year: '27' }), { ok: false, problem: 'invalid' });
  const times: Array<[string, string | null]> = [
    ['14:00', '14:00'],
    ['14.30', '14:30'],
    ['2pm', '14:00'],
    ['2:30 pm', '14:30'],
    ['9am', '09:00'],
    ['12pm', '12:00'],
    ['12am', '00:00'],
    ['9:05', '09:05'],
    ['14', '14:00'],
    ['2', null],
    ['13pm', null],
    ['24:00', null],
    ['14:60', null],
    ['noon', null],
    ['', null],
  ];
  for (const [input, expected] of times) t.equal(parseTime(input), expected, `"${input}"`);
});

t.test('UK postcodes are checked and written the standard way', async (t) => {
  const cases: Array<[string, string | null]> = [
    ['ox1 3bg', 'OX1 3BG'],
    ['OX13BG', 'OX1 3BG'],
    [' Ox1  3Bg ', 'OX1 3BG'],
    ['sw1a 1aa', 'SW1A 1AA'],
    ['M1 1AE', 'M1 1AE'],
    ['b33 8th', 'B33 8TH'],
    ['cr2 6xh', 'CR2 6XH'],
    ['dn55 1pt', 'DN55 1PT'],
    ['gir 0aa', 'GIR 0AA'],
    ['OX1', null],
    ['12345', null],
    ['ABC 123', null],
    ['OX1 3BGG', null],
    ['QX1 3BG', null],
    ['OX1 3CG', null],
    ['', null],
  ];
  for (const [input, expected] of cases) t.equal(normalisePostcode(input), expected, `"${input}"`);
});

t.test('sessions entered around the clock changes, through the form', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.close());
  const app = await buildTestApp(t, database);
  const { visitor, user } = await signedIn(app, database.db, 'provider');
  const venue = await createVenue(database.db, user.organisationId!);
  const offer = await createOffer(database.db, user.organisationId!);
  const create = (fields: Record<string, string>) => visitor.post(`/offers/${offer.id}/sessions/new`, sessionFields(venue.id, fields));
  const stored = (id: string) => database.db.selectFrom('tasterSessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const series = async (seriesId: string) =>
    database.db.selectFrom('tasterSessions').selectAll().where('seriesId', '=', seriesId).orderBy('startsAt').execute();

  t.test('on the autumn Sunday itself, 2pm is 2pm GMT', async (t) => {
    const response = await create({ ...dateFields(fallBack), startTime: '2pm', endTime: '3:30pm' });
    t.equal(response.statusCode, 303);
    const session = await stored(sessionIdFrom(response.headers.location));
    t.equal(session.startsAt.toISOString(), `${fallBack}T14:00:00.000Z`);
    t.equal(session.endsAt.toISOString(), `${fallBack}T15:30:00.000Z`);
    t.equal(session.bookingClosesAt.toISOString(), `${shift(fallBack, -1)}T14:00:00.000Z`, 'booking closes 24 hours before: 3pm BST on the Saturday');
    const page = await visitor.get(`/sessions/${session.id}`);
    t.match(page.body, /2pm to 3:30pm/, 'shown in London time');
    const edit = await visitor.get(`/sessions/${session.id}/edit`);
    t.match(edit.body, /name="startTime" type="text" value="14:00"/, 'the edit form shows the London time back');
  });

  t.test('on the spring Sunday, 2pm is 1pm UTC, and the skipped hour is refused', async (t) => {
    const response = await create({ ...dateFields(springForward), startTime: '14:00', endTime: '15:00' });
    t.equal(response.statusCode, 303);
    const session = await stored(sessionIdFrom(response.headers.location));
    t.equal(session.startsAt.toISOString(), `${springForward}T13:00:00.000Z`);
    t.equal(session.bookingClosesAt.toISOString(), `${shift(springForward, -1)}T13:00:00.000Z`, '24 hours before is 1pm GMT on the Saturday');
    const skipped = await create({ ...dateFields(springForward), startTime: '01:30', endTime: '03:00' });
    t.equal(skipped.statusCode, 400);
    t.equal(fieldError(skipped.body, 'startTime'), 'That time does not exist on this date, because the clocks go forward. Enter a time after 2am');
  });

  t.test('a weekly series across the autumn change keeps 2pm London time', async (t) => {
    const response = await create({ ...dateFields(shift(fallBack, -10)), startTime: '14:00', endTime: '15:30', ...seriesFields(shift(fallBack, -10), 4) });
    t.equal(response.statusCode, 303);
    const first = await stored(sessionIdFrom(response.headers.location));
    t.ok(first.seriesId, 'the sessions share a series');
    const sessions = await series(first.seriesId!);
    t.equal(sessions.length, 4);
    t.same(
      sessions.map((s) => londonParts(s.startsAt).time),
      ['14:00', '14:00', '14:00', '14:00'],
      'every week at 2pm London time',
    );
    t.same(
      sessions.map((s) => s.startsAt.getUTCHours()),
      [13, 13, 14, 14],
      'which is 1pm UTC in summer time and 2pm UTC after',
    );
    t.same(
      sessions.map((s) => londonParts(s.endsAt).time),
      ['15:30', '15:30', '15:30', '15:30'],
    );
    t.same(
      sessions.map((s) => (s.startsAt.getTime() - s.bookingClosesAt.getTime()) / 3_600_000),
      [24, 24, 24, 24],
    );
    t.same(
      sessions.map((s) => s.status),
      ['draft', 'draft', 'draft', 'draft'],
    );
    const created = await database.db
      .selectFrom('auditEvents')
      .select('subjectId')
      .where('action', '=', 'session_created')
      .where(
        'subjectId',
        'in',
        sessions.map((s) => s.id),
      )
      .execute();
    t.equal(created.length, 4, 'each session has its audit entry');
  });

  t.test('a weekly series across the spring change keeps its times and its own deadline', async (t) => {
    const deadline = { ...dateFields(shift(springForward, -12), 'closes'), closesTime: '17:00' };
    const response = await create({
      ...dateFields(shift(springForward, -10)),
      startTime: '10:00',
      endTime: '11:00',
      ...seriesFields(shift(springForward, -10), 3),
      ...deadline,
    });
    t.equal(response.statusCode, 303);
    const sessions = await series((await stored(sessionIdFrom(response.headers.location))).seriesId!);
    t.same(
      sessions.map((s) => londonParts(s.startsAt).time),
      ['10:00', '10:00', '10:00'],
    );
    t.same(
      sessions.map((s) => s.startsAt.getUTCHours()),
      [10, 10, 9],
    );
    t.same(
      sessions.map((s) => londonParts(s.bookingClosesAt).time),
      ['17:00', '17:00', '17:00'],
      'booking closes at 5pm two days before, every week',
    );
  });

  t.test('a series is all or nothing: one week in the skipped hour stores none', async (t) => {
    const before = await database.db.selectFrom('tasterSessions').select('id').execute();
    const response = await create({ ...dateFields(shift(springForward, -7)), startTime: '01:30', endTime: '03:00', repeatWeeks: '2' });
    t.equal(response.statusCode, 400);
    t.equal(fieldError(response.body, 'repeatWeeks'), 'One of the weeks falls in the hour skipped when the clocks go forward. Choose another time');
    const after = await database.db.selectFrom('tasterSessions').select('id').execute();
    t.equal(after.length, before.length, 'nothing stored');
  });
});
