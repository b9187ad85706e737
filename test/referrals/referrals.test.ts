import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import t from 'tap';
import { referralPrompts } from '../../src/referrals/prompts.ts';
import { referralForm } from '../../src/referrals/schemas.ts';
import { createBooking, createOffer, createOrganisation, createReferralReport, createSession, createUser } from '../fixtures/builders.ts';
import { HOSTILE } from '../fixtures/hostile.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const organisation = await createOrganisation(db, { name: 'Botanic Garden' });
const offer = await createOffer(db, organisation.id, { title: 'Volunteer gardening' });

const thisMonth = DateTime.now().setZone('Europe/London');
const lastMonth = thisMonth.minus({ months: 1 });
const valid = { offerId: offer.id, month: String(lastMonth.month), year: String(lastMonth.year), count: '3' };

const reportsOf = (userId: string) =>
  db
    .selectFrom('referralReports')
    .select(['offerId', 'referralCount'])
    .select((eb) => eb.fn('to_char', [eb.ref('month'), eb.val('YYYY-MM-DD')]).as('month'))
    .where('userId', '=', userId)
    .execute();

t.test('a link worker records how many people they referred to an offer in a month', async (t) => {
  const { visitor, user } = await signedIn(app, db, 'link_worker');
  const form = await visitor.get(`/referrals/new?offer=${offer.id}`);
  t.equal(heading(form.body), 'Record referrals');
  t.match(form.body, new RegExp(`<option value="${offer.id}" selected>Volunteer gardening \\(Botanic Garden\\)</option>`), 'the offer is chosen already');
  const sent = await visitor.post('/referrals', valid);
  t.equal(sent.statusCode, 303);
  t.equal(sent.headers.location, '/referrals?done=recorded');
  t.same(await reportsOf(user.id), [{ offerId: offer.id, referralCount: 3, month: lastMonth.toFormat('yyyy-MM-01') }]);
  const list = await visitor.get(sent.headers.location as string);
  t.match(list.body, 'Referrals recorded. Thank you.');
  t.match(list.body, `${lastMonth.toFormat('LLLL yyyy')}`);
  t.match(list.body, /Volunteer gardening, Botanic Garden/);

  const again = await visitor.post('/referrals', { ...valid, count: '5' });
  t.equal(again.headers.location, '/referrals?done=replaced', 'the same offer and month again replaces the number');
  t.same(await reportsOf(user.id), [{ offerId: offer.id, referralCount: 5, month: lastMonth.toFormat('yyyy-MM-01') }]);
  const audit = await db
    .selectFrom('auditEvents')
    .select(['action', 'details'])
    .where('actorId', '=', user.id)
    .where('action', '=', 'referrals_recorded')
    .orderBy('id')
    .execute();
  t.same(
    audit.map((a) => [a.details.count, a.details.previous]),
    [
      [3, null],
      [5, 3],
    ],
  );
});

t.test('numbers, months and offers are checked, and nothing is stored when they are wrong', async (t) => {
  const { visitor, user } = await signedIn(app, db, 'link_worker');
  const next = thisMonth.plus({ months: 1 });
  const cases: Array<[Record<string, string>, string, string]> = [
    [{ count: '-3' }, 'count', 'The number of people must be 1 or more'],
    [{ count: '0' }, 'count', 'The number of people must be 1 or more'],
    [{ count: '501' }, 'count', 'The number of people must be 500 or fewer'],
    [{ count: '99999999999999999999' }, 'count', 'The number of people must be 500 or fewer'],
    [{ count: 'ten' }, 'count', 'Enter how many people you referred as a whole number, like 3'],
    [{ count: '2.5' }, 'count', 'Enter how many people you referred as a whole number, like 3'],
    [{ count: '' }, 'count', 'Enter how many people you referred'],
    [{ month: String(next.month), year: String(next.year) }, 'month', 'The month must be this month or earlier'],
    [{ month: '1', year: '2099' }, 'month', 'The month must be this month or earlier'],
    [{ month: '12', year: '2019' }, 'year', 'The month must be January 2020 or later'],
    [{ month: '13' }, 'month', 'Select the month you made the referrals'],
    [{ year: '27' }, 'year', 'Enter the year as 4 digits, like 2027'],
    [{ offerId: randomUUID() }, 'offerId', 'Select the activity you referred people to'],
    [{ offerId: '' }, 'offerId', 'Select the activity you referred people to'],
    [{ offerId: 'not-an-id' }, 'offerId', 'Select the activity you referred people to'],
  ];
  for (const [change, field, message] of cases) {
    const response = await visitor.post('/referrals', { ...valid, ...change });
    t.equal(response.statusCode, 400, `${JSON.stringify(change)} is refused`);
    const shown =
      field === 'month' || field === 'year'
        ? /id="when-error"><span class="nhsuk-u-visually-hidden">Error:<\/span> ([^<]*)</.exec(response.body)?.[1]
        : fieldError(response.body, field);
    t.equal(shown, message, `${JSON.stringify(change)}: ${message}`);
    t.same(errorSummary(response.body), [`${field}: ${message}`]);
    if (change.count !== undefined) t.match(response.body, `value="${change.count}"`, 'what was typed is kept');
  }
  t.same(await reportsOf(user.id), [], 'nothing stored');
});

t.test('"future" is decided in London time: late on 31 March (BST) is already April', async (t) => {
  const schema = referralForm(new Date('2027-03-31T23:30:00Z'));
  const april = schema.safeParse({ offerId: offer.id, month: '4', year: '2027', count: '1' });
  t.ok(april.success, 'April 2027 is this month in London');
  t.same(april.data?.month, '2027-04-01');
  t.notOk(schema.safeParse({ offerId: offer.id, month: '5', year: '2027', count: '1' }).success, 'May is the future');
});

t.test('only link workers record referrals', async (t) => {
  const provider = await signedIn(app, db, 'provider', { organisationId: organisation.id });
  t.equal((await provider.visitor.post('/referrals', valid)).statusCode, 403);
  t.equal((await provider.visitor.get('/referrals')).statusCode, 403);
  const coordinator = await signedIn(app, db, 'coordinator');
  t.equal((await coordinator.visitor.post('/referrals', valid)).statusCode, 403);
  t.same(await reportsOf(provider.user.id), []);
});

t.test('prompts come 4 and 12 weeks after an attended taster, until a report is made', async (t) => {
  const now = new Date('2027-06-15T12:00:00Z');
  const weeksAgo = (weeks: number, days = 0) => DateTime.fromJSDate(now).minus({ weeks, days }).toJSDate();
  const person = await createUser(db, 'link_worker');
  async function attended(title: string, endedAt: Date, attendance: 'attended' | 'no_show' = 'attended', who = person.id) {
    const o = await createOffer(db, organisation.id, { title });
    await taster(o.id, endedAt, attendance, who);
    return o;
  }
  async function taster(offerId: string, endedAt: Date, attendance: 'attended' | 'no_show' = 'attended', who = person.id) {
    const startsAt = new Date(endedAt.getTime() - 2 * 3_600_000);
    const session = await createSession(db, offerId, { startsAt, endsAt: endedAt, bookingClosesAt: new Date(startsAt.getTime() - 86_400_000) });
    await createBooking(db, session.id, who, { attendance });
  }

  const fourWeeks = await attended('Four weeks ago', weeksAgo(4, 1));
  await attended('Three weeks ago', weeksAgo(3));
  await attended('Nine weeks ago', weeksAgo(9));
  const twelveWeeks = await attended('Thirteen weeks ago', weeksAgo(13));
  await attended('Seventeen weeks ago', weeksAgo(17));
  await attended('Missed four weeks ago', weeksAgo(4, 2), 'no_show');
  const other = await createUser(db, 'link_worker');
  await attended('Someone else four weeks ago', weeksAgo(4, 2), 'attended', other.id);
  const answered = await attended('Answered four weeks ago', weeksAgo(5));
  await createReferralReport(db, person.id, answered.id, '2027-05', 2, weeksAgo(4, 5));
  const answeredLate = await attended('Answered at 9 weeks', weeksAgo(12, 3));
  await createReferralReport(db, person.id, answeredLate.id, '2027-04', 1, weeksAgo(3, 2));
  const answeredEarly = await attended('Answered at 5 weeks', weeksAgo(12, 4));
  await createReferralReport(db, person.id, answeredEarly.id, '2027-04', 1, weeksAgo(7, 4));
  // Two sessions of one offer: one prompt, about the latest.
  const twice = await attended('Tried twice', weeksAgo(20));
  await taster(twice.id, weeksAgo(4, 3));

  const prompts = await referralPrompts(db, person.id, now);
  t.same(
    prompts.map((p) => [p.offerTitle, p.weeks]),
    [
      ['Four weeks ago', 4],
      ['Tried twice', 4],
      ['Answered at 5 weeks', 12],
      ['Thirteen weeks ago', 12],
    ],
  );
  t.equal(prompts[0]!.offerId, fourWeeks.id);
  t.equal(prompts[3]!.offerId, twelveWeeks.id);
  t.same(await referralPrompts(db, other.id, now).then((p) => p.map((x) => x.offerTitle)), ['Someone else four weeks ago']);
});

t.test('the prompts partial links to the form for the offer, and escapes what it shows', async (t) => {
  const hostileOffer = await createOffer(db, organisation.id, { title: HOSTILE });
  const { visitor, user } = await signedIn(app, db, 'link_worker');
  const endsAt = DateTime.now().minus({ weeks: 4, days: 2 }).toJSDate();
  const startsAt = new Date(endsAt.getTime() - 3_600_000);
  const session = await createSession(db, hostileOffer.id, { startsAt, endsAt, bookingClosesAt: new Date(startsAt.getTime() - 86_400_000) });
  await createBooking(db, session.id, user.id, { attendance: 'attended' });
  const page = await visitor.get('/referrals');
  t.match(page.body, 'Have you referred anyone?');
  t.match(page.body, `href="/referrals/new?offer=${hostileOffer.id}"`);
  t.notMatch(page.body, '<script>alert(1)</script>');
  t.match(page.body, 'It is 4 weeks since you tried &lt;script&gt;');
  const garbage = await visitor.get('/referrals/new?offer=<script>');
  t.equal(garbage.statusCode, 200, 'a broken offer link still shows the form');
  t.notMatch(garbage.body, '<script>');
});
