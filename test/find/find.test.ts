import { sql } from 'kysely';
import { DateTime } from 'luxon';
import t from 'tap';
import { findSessions } from '../../src/find/queries.ts';
import { findQuery } from '../../src/find/schemas.ts';
import { parseForm } from '../../src/lib/forms.ts';
import { createBooking, createOffer, createSession, createTaster, createUser } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, decodeHtml, errorSummary, fieldError, heading } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

/** The next date (at least two days ahead) falling on an ISO weekday (1 = Monday), at a London time. */
function next(weekday: number, hour: number, minute = 0): Date {
  let day = DateTime.now().setZone('Europe/London').plus({ days: 2 }).startOf('day');
  while (day.weekday !== weekday) day = day.plus({ days: 1 });
  return day.set({ hour, minute }).toJSDate();
}
const london = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/London' }).toJSDate();
function parseFilters(query: string) {
  const parsed = parseForm(findQuery, Object.fromEntries(new URLSearchParams(query)));
  if (!parsed.ok) throw new Error(`bad filters: ${query}`);
  return parsed.value;
}

const singing = await createTaster(db, {
  title: 'Singing for wellbeing',
  description: 'Warm-ups and songs from around the world.',
  category: 'singing_music',
  organisationName: 'Riverside Museum',
  kind: 'museum',
  town: 'Oxford',
  postcode: 'OX1 1AA',
  stepFree: true,
  startsAt: next(2, 14),
});
const origami = await createTaster(db, {
  title: 'Origami circle',
  description: 'Fold paper into cranes and boxes.',
  category: 'arts_crafts',
  organisationName: 'Central Library',
  kind: 'library',
  town: 'Banbury',
  postcode: 'OX16 5AA',
  startsAt: next(3, 10),
});
const sketching = await createTaster(db, {
  title: 'Evening sketching',
  description: 'Drawing from objects in the collection.',
  category: 'drawing_painting',
  organisationName: 'Open Door Arts',
  kind: 'arts',
  town: 'oxford',
  postcode: 'OX4 1AA',
  capacity: 1,
  startsAt: next(4, 18, 30),
});
await createBooking(db, sketching.sessionId, (await createUser(db, 'link_worker')).id);
const mindfulness = await createTaster(db, {
  title: 'Online mindfulness',
  description: 'A calm half hour.',
  category: 'wellbeing_mindfulness',
  organisationName: 'Calm Minds',
  kind: 'community',
  online: true,
  startsAt: next(1, 12),
});
const hidden = [
  await createTaster(db, { title: 'Draft gardening', status: 'draft', startsAt: next(2, 15) }),
  await createTaster(db, {
    title: 'Past dance',
    startsAt: DateTime.now().minus({ days: 3 }).toJSDate(),
    bookingClosesAt: DateTime.now().minus({ days: 4 }).toJSDate(),
  }),
  await createTaster(db, { title: 'Cancelled reading group', status: 'cancelled', startsAt: next(5, 11) }),
];
const visible = ['Singing for wellbeing', 'Origami circle', 'Evening sketching', 'Online mindfulness'];

const app = await buildTestApp(t, database);
const { visitor: linkWorker } = await signedIn(app, db, 'link_worker');

/** The titles of the results on a page (or fragment), in order. */
function titles(html: string): string[] {
  return [...html.matchAll(/<h3 class="nhsuk-heading-s[^"]*"><a href="\/sessions\/[^"]+">([^<]*)<\/a><\/h3>/g)].map((m) => decodeHtml(m[1]!));
}
async function search(query: string) {
  const response = await linkWorker.get(`/find${query}`);
  if (response.statusCode !== 200) throw new Error(`${query} answered ${response.statusCode}`);
  return titles(response.body).filter((title) => visible.includes(title) || hidden.some((h) => h.title === title));
}

t.test('with no filters: upcoming published sessions only, soonest first', async (t) => {
  const found = await search('');
  t.same([...found].sort(), [...visible].sort());
  const starts = { 'Singing for wellbeing': singing, 'Origami circle': origami, 'Evening sketching': sketching, 'Online mindfulness': mindfulness };
  const times = await db.selectFrom('tasterSessions').select(['id', 'startsAt']).execute();
  const startOf = (title: string) => times.find((row) => row.id === starts[title as keyof typeof starts].sessionId)!.startsAt.getTime();
  t.same(
    found,
    [...found].sort((a, b) => startOf(a) - startOf(b)),
    'soonest first',
  );
});

t.test('text search covers the offer title, description and organisation name', async (t) => {
  t.same(await search('?q=singing'), ['Singing for wellbeing']);
  t.same(await search('?q=sing'), ['Singing for wellbeing'], 'stemmed');
  t.same(await search('?q=paper'), ['Origami circle'], 'description');
  t.same(await search('?q=Central+Library'), ['Origami circle'], 'organisation name');
  t.same(await search('?q=singing+museum'), ['Singing for wellbeing'], 'words from the title and the organisation together');
  t.same(await search('?q=singing+library'), [], 'every word must match');
  t.same(await search('?q=%22evening+sketching%22'), ['Evening sketching'], 'a quoted phrase');
  t.same((await search('?q=the')).sort(), [...visible].sort(), 'only common words: no text filter');
});

t.test('a renamed organisation is found by its new name', async (t) => {
  await db.updateTable('organisations').set({ name: 'Calm Minds Quayside' }).where('id', '=', mindfulness.organisationId).execute();
  t.same(await search('?q=quayside'), ['Online mindfulness']);
  await db
    .updateTable('offers')
    .set({ title: 'Online mindfulness', description: 'A calm half hour of breathing.' })
    .where('id', '=', mindfulness.offerId)
    .execute();
  t.same(await search('?q=breathing'), ['Online mindfulness'], 'and an edited description by its new words');
});

t.test('category, organisation kind, places left and step-free access', async (t) => {
  t.same(await search('?category=drawing_painting'), ['Evening sketching']);
  t.same(await search('?kind=library'), ['Origami circle']);
  t.same((await search('?available=yes')).sort(), ['Online mindfulness', 'Origami circle', 'Singing for wellbeing']);
  t.same((await search('?stepFree=yes')).sort(), ['Online mindfulness', 'Singing for wellbeing'], 'step-free venues and online sessions');
});

t.test('town or postcode district', async (t) => {
  t.same(await search('?place=OX1'), ['Singing for wellbeing'], 'OX1 is not OX16 or OX4');
  t.same(await search('?place=ox4'), ['Evening sketching'], 'any case');
  t.same(await search('?place=OX16'), ['Origami circle']);
  t.same((await search('?place=Oxford')).sort(), ['Evening sketching', 'Singing for wellbeing'], 'a town, in any case');
  t.same(await search('?place=banbury'), ['Origami circle']);
  t.same(await search('?place=Reading'), []);
});

t.test('date range, day of the week and time of day', async (t) => {
  const origamiDay = DateTime.fromJSDate(next(3, 10)).setZone('Europe/London').toISODate()!;
  t.same(await search(`?from=${origamiDay}&to=${origamiDay}`), ['Origami circle']);
  t.notOk((await search(`?from=${DateTime.fromISO(origamiDay).plus({ days: 1 }).toISODate()}`)).includes('Origami circle'));
  t.same(await search('?day=TU'), ['Singing for wellbeing']);
  t.same((await search('?day=TU&day=WE')).sort(), ['Origami circle', 'Singing for wellbeing']);
  t.same(await search('?time=morning'), ['Origami circle']);
  t.same((await search('?time=afternoon')).sort(), ['Online mindfulness', 'Singing for wellbeing'], '12 noon is afternoon');
  t.same(await search('?time=evening'), ['Evening sketching']);
  t.same((await search('?time=morning&time=evening')).sort(), ['Evening sketching', 'Origami circle']);
  t.same(await search('?q=singing&time=morning'), [], 'filters combine');
});

t.test('times and days are London times, on both sides of a clock change', async (t) => {
  const organisation = singing.organisationId;
  const offer = await createOffer(db, organisation, { title: 'Clockcheck pottery', category: 'arts_crafts' });
  // 28 March 2027: clocks go forward. 11:30 London is 11:30 UTC before, 10:30 UTC after.
  await createSession(db, offer.id, { startsAt: london('2027-03-27T11:30'), isOnline: true });
  await createSession(db, offer.id, { startsAt: london('2027-03-29T11:30'), isOnline: true });
  // 12:30 London after the change is 11:30 UTC: afternoon, whatever UTC says.
  await createSession(db, offer.id, { startsAt: london('2027-03-29T12:30'), isOnline: true });
  // 00:30 on Wednesday 31 March in London is still Tuesday in UTC.
  await createSession(db, offer.id, { startsAt: london('2027-03-31T00:30'), isOnline: true });
  const when = async (query: string) => {
    const response = await linkWorker.get(`/find?q=clockcheck${query}`);
    return [...response.body.matchAll(/<p class="nhsuk-u-margin-bottom-1">([^<]+)<\/p>/g)].map((m) => m[1]!.trim());
  };
  t.same(await when('&time=morning'), [
    'Saturday 27 March 2027, 11:30am to 1:30pm',
    'Monday 29 March 2027, 11:30am to 1:30pm',
    'Wednesday 31 March 2027, 12:30am to 2:30am',
  ]);
  t.same(await when('&time=afternoon'), ['Monday 29 March 2027, 12:30pm to 2:30pm']);
  t.same(await when('&day=WE'), ['Wednesday 31 March 2027, 12:30am to 2:30am']);
  t.same(await when('&day=TU'), []);
  t.same(await when('&from=2027-03-29&to=2027-03-29'), ['Monday 29 March 2027, 11:30am to 1:30pm', 'Monday 29 March 2027, 12:30pm to 2:30pm']);
});

t.test('a session moved to another time and day is found by its new London time and day', async (t) => {
  const offer = await createOffer(db, singing.organisationId, { title: 'Movecheck weaving', category: 'arts_crafts' });
  const session = await createSession(db, offer.id, { startsAt: london('2027-05-03T10:00'), isOnline: true });
  const found = async (query: string) => (await linkWorker.get(`/find?q=movecheck${query}`)).body.includes('Movecheck weaving');
  t.ok(await found('&time=morning&day=MO'), 'Monday morning');
  // Moved by an edit to a Tuesday evening, in BST; the stored London hour and weekday follow.
  await db
    .updateTable('tasterSessions')
    .set({ startsAt: london('2027-05-04T18:30'), endsAt: london('2027-05-04T20:00') })
    .where('id', '=', session.id)
    .execute();
  const row = await db.selectFrom('tasterSessions').select(['startsHourLondon', 'startsWeekdayLondon']).where('id', '=', session.id).executeTakeFirstOrThrow();
  t.same(row, { startsHourLondon: 18, startsWeekdayLondon: 2 });
  t.notOk(await found('&time=morning'), 'no longer in the morning');
  t.notOk(await found('&day=MO'), 'nor on Monday');
  t.ok(await found('&time=evening&day=TU'), 'but on Tuesday evening');
});

t.test('20 a page; the paging links keep the filters', async (t) => {
  const offer = await createOffer(db, singing.organisationId, { title: 'Pagination pottery', category: 'arts_crafts' });
  for (let i = 0; i < 25; i++) await createSession(db, offer.id, { startsAt: new Date(next(6, 9).getTime() + i * 86_400_000), isOnline: true });
  const first = await linkWorker.get('/find?q=pagination&stepFree=yes');
  t.equal(titles(first.body).length, 20);
  t.match(first.body, /25 taster sessions found/);
  const nextLink = /<a class="nhsuk-pagination__link nhsuk-pagination__link--next" href="([^"]+)"/.exec(first.body)?.[1];
  t.equal(decodeHtml(nextLink ?? ''), '/find?q=pagination&stepFree=yes&page=2');
  const second = await linkWorker.get(decodeHtml(nextLink!));
  t.equal(titles(second.body).length, 5);
  t.match(second.body, /Page 1 of 2/, 'a link back');
  const beyond = await linkWorker.get('/find?q=pagination&page=9');
  t.equal(beyond.statusCode, 200);
  t.equal(titles(beyond.body).length, 0);
  t.match(beyond.body, /25 taster sessions found/);
  const broken = await linkWorker.get('/find?q=pagination&page=abc');
  t.equal(titles(broken.body).length, 20, 'a broken page number is the first page');
});

t.test('beyond 1,000 matches the page says "more than", shows the soonest, and pages up to the thousandth', async (t) => {
  const offer = await createOffer(db, singing.organisationId, { title: 'Plentiful pottery', category: 'arts_crafts' });
  // 1,005 online sessions an hour apart, from a week ahead, in one statement.
  await sql`
    insert into taster_sessions (offer_id, is_online, joining_instructions, starts_at, ends_at, capacity, booking_closes_at, status, published_at)
    select ${offer.id}, true, 'A video link', t, t + interval '1 hour', 10, t - interval '1 day', 'published', now()
    from (select ${next(1, 9)}::timestamptz + i * interval '1 hour' as t from generate_series(0, 1004) i) times`.execute(db);
  const first = await linkWorker.get('/find?q=plentiful');
  t.match(first.body, /More than 1,000 taster sessions found/);
  t.match(first.body, /These are the soonest 1,000\. Choose a type of activity, a place, days or dates to narrow them down\./);
  t.match(first.body, /Page 2 of 50/);
  const last = await linkWorker.get('/find?q=plentiful&page=50');
  t.equal(titles(last.body).length, 20, 'the 50th page is full');
  t.notMatch(last.body, /nhsuk-pagination__link--next/, 'and the last');
  t.match(last.body, /Page 49 of 50/);
  // Narrowed below the limit, the count is exact again.
  const narrowed = await linkWorker.get(
    `/find?q=plentiful&from=${DateTime.fromJSDate(next(1, 9)).setZone('Europe/London').toISODate()}&to=${DateTime.fromJSDate(next(1, 9)).setZone('Europe/London').toISODate()}`,
  );
  t.match(narrowed.body, /15 taster sessions found/, 'the day of the first: 9am to midnight');

  const direct = await findSessions(db, parseFilters('q=plentiful'), null, new Date(), 1004);
  t.same([direct.total, direct.more], [1004, true], 'the limit is the count at which "more" begins');
  const exact = await findSessions(db, parseFilters('q=plentiful'), null, new Date(), 1005);
  t.same([exact.total, exact.more], [1005, false]);
});

t.test('no results says so and offers to clear the filters', async (t) => {
  const response = await linkWorker.get('/find?q=zeppelin');
  t.equal(response.statusCode, 200);
  t.match(response.body, /No taster sessions found/);
  t.match(response.body, /<a href="\/find">Clear the filters<\/a>/);
});

t.test('the page is a plain GET form that keeps the filters (no JavaScript needed)', async (t) => {
  const response = await linkWorker.get('/find?q=singing&category=singing_music&day=TU&day=TH&time=afternoon&stepFree=yes&place=OX1');
  t.equal(heading(response.body), 'Find tasters');
  t.match(response.body, /<form action="\/find" method="get"/);
  t.match(response.body, /id="q" name="q" type="search" value="singing"/);
  t.match(response.body, /<option value="singing_music" selected>/);
  t.match(response.body, /id="day-TU" name="day" type="checkbox" value="TU" checked/);
  t.match(response.body, /id="day-TH" name="day" type="checkbox" value="TH" checked/);
  t.notMatch(response.body, /value="WE" checked/);
  t.match(response.body, /name="stepFree" type="checkbox" value="yes" checked/);
  t.match(response.body, /id="place" name="place" type="text" value="OX1"/);
  t.match(response.body, /data-hx-get="\/find" data-hx-target="#find-results"/);
  t.match(response.body, /data-hx-push-url="true"/);
  t.match(response.body, /id="find-status"[^>]*role="status"/);
  t.same(titles(response.body), ['Singing for wellbeing']);
});

t.test('an htmx request gets only the results, with the count for the live region', async (t) => {
  const response = await linkWorker.get('/find?q=origami', { 'hx-request': 'true' });
  t.equal(response.statusCode, 200);
  t.notMatch(response.body, /<html|<form/, 'the results alone');
  t.same(titles(response.body), ['Origami circle']);
  t.match(response.body, /<hx-partial data-hx-target="#find-status" data-hx-swap="innerHTML">1 taster session found<\/hx-partial>/);
});

t.test('bad filter values get a message beside the field, never a 500', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['?category=knitting', 'category', 'Select a type of activity from the list'],
    ['?kind=zoo', 'kind', 'Select a type of organisation from the list'],
    ['?from=2027-02-30', 'from', 'Enter a real date, for example 2027-03-28'],
    ['?from=next+week', 'from', 'Enter a real date, for example 2027-03-28'],
    ['?from=2027-03-10&to=2027-03-01', 'to', 'The end date must be the same as or after the start date'],
    ['?day=XX', 'day', 'Select days of the week from the list'],
    ['?time=night', 'time', 'Select times of day from the list'],
    ['?place=%3Cscript%3E', 'place', 'Enter a town, like Oxford, or the first part of a postcode, like OX1'],
    [`?q=${'a'.repeat(101)}`, 'q', 'Search words must be 100 characters or fewer'],
  ];
  for (const [query, field, message] of cases) {
    const response = await linkWorker.get(`/find${query}`);
    t.equal(response.statusCode, 400, `${query}: 400`);
    t.equal(fieldError(response.body, field), message, `${query}: message beside ${field}`);
    t.same(errorSummary(response.body), [`${field}: ${message}`]);
    t.match(response.body, /<title>Error: Find tasters/);
    const fragment = await linkWorker.get(`/find${query}`, { 'hx-request': 'true' });
    t.equal(fragment.statusCode, 400);
    t.match(decodeHtml(fragment.body), message, `${query}: the htmx fragment says it too`);
  }
  const odd = await linkWorker.get('/find?q[]=x&category[x]=y&page=-4');
  t.ok(odd.statusCode < 500, 'odd shapes of query string are not a 500');
});

t.test('hidden characters in the filters get a message beside the field, never a 500', async (t) => {
  const hidden = (label: string) =>
    `${label} must not contain hidden characters, such as control codes copied from another program. Type it again rather than pasting it`;
  const cases: Array<[string, string, string]> = [
    ['?q=%00', 'q', hidden('Search words')],
    ['?q=singing%00', 'q', hidden('Search words')],
    ['?q=sing%1B%5B2Jing', 'q', hidden('Search words')],
    ['?q=sing%0Bing', 'q', hidden('Search words')],
    ['?q=sing%09ing', 'q', 'Search words must be on one line, without tabs or line breaks'],
    ['?place=Ox%00ford', 'place', hidden('Town or postcode')],
  ];
  for (const [query, field, message] of cases) {
    const response = await linkWorker.get(`/find${query}`);
    t.equal(response.statusCode, 400, `${query}: 400`);
    t.equal(fieldError(response.body, field), message, `${query}: message beside ${field}`);
    t.same(errorSummary(response.body), [`${field}: ${message}`], `${query}: and in the summary`);
    t.notOk(response.body.includes('\u0000'), `${query}: no NUL byte sent back in the page`);
    const fragment = await linkWorker.get(`/find${query}`, { 'hx-request': 'true' });
    t.equal(fragment.statusCode, 400, `${query}: the htmx fragment is a 400 too`);
    t.match(decodeHtml(fragment.body), message, `${query}: and says it`);
  }
  const { visitor: coordinator } = await signedIn(app, db, 'coordinator');
  const response = await coordinator.get('/find?q=%00');
  t.equal(response.statusCode, 400, 'a coordinator too');
  t.equal(fieldError(response.body, 'q'), hidden('Search words'));
});

t.test('link workers and coordinators can find tasters; provider staff cannot', async (t) => {
  const { visitor: coordinator } = await signedIn(app, db, 'coordinator');
  const asCoordinator = await coordinator.get('/find?q=singing');
  t.equal(asCoordinator.statusCode, 200);
  t.match(asCoordinator.body, new RegExp(`/sessions/${singing.sessionId}/bookings`), 'coordinators see who booked');
  t.notMatch(asCoordinator.body, /Book a place/);
  const asLinkWorker = await linkWorker.get('/find?q=singing');
  t.match(asLinkWorker.body, new RegExp(`href="/sessions/${singing.sessionId}/book"`));
  const { visitor: provider } = await signedIn(app, db, 'provider');
  t.equal((await provider.get('/find')).statusCode, 403);
  t.equal((await app.inject({ method: 'GET', url: '/find' })).statusCode, 302);
});

t.test("the results name the viewer's own booking and a full session", async (t) => {
  const me = await createUser(db, 'link_worker');
  await createBooking(db, origami.sessionId, me.id);
  const { visitor } = await signedIn(app, db, me);
  const page = await visitor.get('/find?q=origami+OR+sketching');
  t.match(page.body, /Origami circle[\s\S]*You have a place/);
  t.match(page.body, /Evening sketching[\s\S]*Full: waiting list open[\s\S]*Join the waiting list/);
});

t.test('two museums with the same taster on the same day: each link says whose it is', async (t) => {
  const day = next(4, 10);
  const sessions = [
    await createTaster(db, { title: 'Object handling and conversation', organisationName: 'Pitt Rivers Museum', startsAt: day }),
    await createTaster(db, { title: 'Object handling and conversation', organisationName: 'Ashmolean Museum', startsAt: day }),
  ];
  const page = await linkWorker.get('/find?q=object+handling');
  const linkName = (sessionId: string, suffix: string) => {
    const match = new RegExp(`<a href="/sessions/${sessionId}/${suffix}">([\\s\\S]*?)</a>`).exec(page.body);
    return match
      ? decodeHtml(match[1]!.replace(/<[^>]+>/g, ''))
          .replace(/\s+/g, ' ')
          .trim()
      : '';
  };
  const names = sessions.map((s) => linkName(s.sessionId, 'book'));
  t.match(names[0], /^Book a place for Object handling and conversation, Pitt Rivers Museum, /);
  t.match(names[1], /^Book a place for Object handling and conversation, Ashmolean Museum, /);
  t.not(names[0], names[1], 'the two links have different accessible names');

  const coordinator = (await signedIn(app, db, 'coordinator')).visitor;
  const seen = await coordinator.get('/find?q=object+handling');
  const whoBooked = sessions.map((s) => new RegExp(`<a href="/sessions/${s.sessionId}/bookings">([\\s\\S]*?)</a>`).exec(seen.body)?.[1]);
  t.match(whoBooked[0], 'Pitt Rivers Museum');
  t.match(whoBooked[1], 'Ashmolean Museum');
});
