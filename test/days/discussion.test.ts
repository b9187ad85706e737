import t from 'tap';
import { SYSTEM } from '../../src/audit/actor.ts';
import { erasePerson } from '../../src/privacy/erase.ts';
import { moveDay } from '../fixtures/day-door.ts';
import { createDay, registrationBody } from '../fixtures/days.ts';
import { HOSTILE, HOSTILE_MARKUP } from '../fixtures/hostile.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/**
 * What the room said (issue 15, item 7): organisers record the discussion's barriers, opportunities
 * and topics by group and export them; people with a confirmed place add to them from the start of
 * the day for a week after it, then read them only. Bad forms: a clear message, nothing stored.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const notesOf = (dayId: string) =>
  db
    .selectFrom('dayDiscussionNotes')
    .select(['groupName', 'kind', 'text', 'authorRole', 'authorId'])
    .where('tasterDayId', '=', dayId)
    .orderBy('createdAt')
    .execute();

async function dayWithPeople() {
  const day = await createDay(db, { linkWorkerPlaces: 1 });
  const priya = await signedIn(app, db, 'link_worker', { name: 'Priya Participant' });
  const wendy = await signedIn(app, db, 'link_worker', { name: 'Wendy Waiting' });
  const mo = await signedIn(app, db, 'provider', { name: 'Mo Museum' });
  for (const who of [priya, wendy]) await who.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  await mo.visitor.post(`/days/${day.id}/register`, {});
  const coordinator = await signedIn(app, db, 'coordinator', { name: 'Helen Organiser' });
  return { day, priya, wendy, mo, coordinator };
}

t.test('organisers record notes by group; bad forms get a clear message and store nothing', async (t) => {
  const { day, coordinator } = await dayWithPeople();
  const url = `/days/${day.id}/discussion`;
  const page = await coordinator.visitor.get(url);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'What the room said');
  t.match(page.body, /Nothing has been added yet/);

  const added = await coordinator.visitor.post(url, { group: 'Group 1', kind: 'barrier', text: 'Link workers do not know what a gallery offers' });
  t.equal(added.statusCode, 303);
  t.equal(added.headers.location, `${url}?done=added`);
  await coordinator.visitor.post(url, { group: 'Group 1', kind: 'topic', text: 'Does trying an activity change referrals?' });
  await coordinator.visitor.post(url, { group: 'Group 2', kind: 'opportunity', text: 'Museums could host drop-ins' });
  t.match(await notesOf(day.id), [
    { groupName: 'Group 1', kind: 'barrier', authorRole: 'organiser', authorId: coordinator.user.id },
    { groupName: 'Group 1', kind: 'topic' },
    { groupName: 'Group 2', kind: 'opportunity' },
  ]);
  const shown = await coordinator.visitor.get(url);
  t.match(shown.body, /<h2 class="nhsuk-heading-m tasters-break" id="group-0">Group 1<\/h2>\s*<h3 class="nhsuk-heading-s">Barriers<\/h3>/);
  t.match(shown.body, /Link workers do not know what a gallery offers<\/span> <span class="nhsuk-body-s">\(An organiser\)/);
  t.notMatch(shown.body.replace(/<header[\s\S]*?<\/header>/, ''), /Helen Organiser/, 'notes never name their author');

  const cases: Array<[string, Record<string, string>, string[]]> = [
    [
      'nothing',
      {},
      [
        'group: Enter the group, like Group 1 or Table 3',
        'kind: Select whether this is a barrier, an opportunity or a topic for further work',
        'text: Enter what the group said',
      ],
    ],
    ['spaces only', { group: '   ', kind: 'topic', text: '  ' }, ['group: Enter the group, like Group 1 or Table 3', 'text: Enter what the group said']],
    [
      'too long',
      { group: 'G'.repeat(61), kind: 'topic', text: 'x'.repeat(1001) },
      ['group: Group must be 60 characters or fewer', 'text: What the group said must be 1,000 characters or fewer'],
    ],
    [
      'a kind that is not one',
      { group: 'Group 1', kind: 'complaint', text: 'x' },
      ['kind: Select whether this is a barrier, an opportunity or a topic for further work'],
    ],
    ['a line break in the group', { group: 'Group\n1', kind: 'topic', text: 'x' }, ['group: Group must be on one line, without tabs or line breaks']],
  ];
  for (const [what, form, messages] of cases) {
    const response = await coordinator.visitor.post(url, form);
    t.equal(response.statusCode, 400, what);
    t.same(errorSummary(response.body), messages, what);
  }
  const kept = await coordinator.visitor.post(url, { group: 'Group 3', kind: 'topic', text: 'x'.repeat(1001) });
  t.match(kept.body, /value="Group 3"/, 'what was typed is kept');
  const nul = await coordinator.visitor.post(url, { group: 'Group 1', kind: 'topic', text: 'before\u0000after' });
  t.equal(nul.statusCode, 400);
  t.equal((await notesOf(day.id)).length, 3, 'nothing stored by any of them');

  // Hostile markup is stored as typed and shown as text.
  t.equal((await coordinator.visitor.post(url, { group: 'Group 2', kind: 'barrier', text: HOSTILE })).statusCode, 303);
  const page2 = await coordinator.visitor.get(url);
  for (const markup of HOSTILE_MARKUP) t.notOk(page2.body.includes(markup), `${markup} is not markup on the page`);
  t.match(page2.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

t.test('the export: every note by group, kind and the author’s role, formulas neutralised, no names', async (t) => {
  const { day, coordinator, priya, mo } = await dayWithPeople();
  await moveDay(db, day.id, 2);
  const url = `/days/${day.id}/discussion`;
  await coordinator.visitor.post(url, { group: 'Group 1', kind: 'barrier', text: '=HYPERLINK("http://evil.example","click")' });
  await priya.visitor.post(url, { group: 'Group 1', kind: 'opportunity', text: 'Taster days, "every" term' });
  await mo.visitor.post(url, { group: 'Table 2', kind: 'topic', text: '+44 contact sharing' });
  const csv = await coordinator.visitor.get(`${url}.csv`);
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.match(csv.headers['content-disposition'], /attachment; filename="discussion-knowledge-exchange-day-.*\.csv"/);
  t.equal(csv.headers['cache-control'], 'no-store');
  const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
  t.equal(lines[0], 'Group,Kind,What the group said,Added by,Added at');
  t.match(lines[1], /^Group 1,Barrier,"'=HYPERLINK\(""http:\/\/evil.example"",""click""\)",An organiser,\d{4}-\d\d-\d\d \d\d:\d\d$/);
  t.match(lines[2], /^Group 1,Opportunity,"Taster days, ""every"" term",A link worker,/);
  t.match(lines[3], /^Table 2,Topic for further work,'\+44 contact sharing,Cultural-sector staff,/);
  t.notMatch(csv.body, /Priya Participant|Mo Museum|@/, 'no names and no emails in the export');
  t.equal((await priya.visitor.get(`${url}.csv`)).statusCode, 403, 'the export is for the organisers');
  t.equal((await mo.visitor.get(`${url}.csv`)).statusCode, 403);
});

t.test('participants with a place add from the start of the day for a week after it; then it is read-only', async (t) => {
  const { day, priya, wendy, mo } = await dayWithPeople();
  const url = `/days/${day.id}/discussion`;
  const before = await priya.visitor.get(url);
  t.equal(before.statusCode, 200, 'people with a place can read it');
  t.match(before.body, /You can add to the discussion from the start of the day/);
  t.notMatch(before.body, /name="text"/);
  const early = await priya.visitor.post(url, { group: 'Group 1', kind: 'topic', text: 'Too early' });
  t.equal(early.statusCode, 400);
  t.same(errorSummary(early.body), ['add: You can add to the discussion from the start of the day.']);

  await moveDay(db, day.id, 3);
  const open = await priya.visitor.get(url);
  t.match(open.body, /You can add to the discussion until/);
  t.equal((await priya.visitor.post(url, { group: 'Group 1', kind: 'topic', text: 'From Priya' })).statusCode, 303);
  t.equal((await mo.visitor.post(url, { group: 'Group 1', kind: 'barrier', text: 'From Mo' })).statusCode, 303);
  t.match(await notesOf(day.id), [
    { text: 'From Priya', authorRole: 'link_worker' },
    { text: 'From Mo', authorRole: 'cultural' },
  ]);
  const missing = await priya.visitor.post(url, { group: 'Group 1', kind: 'topic' });
  t.equal(missing.statusCode, 400);
  t.same(errorSummary(missing.body), ['text: Enter what the group said']);

  // Without a place: neither reading nor adding.
  t.equal((await wendy.visitor.get(url)).statusCode, 403, 'on the waiting list');
  t.equal((await wendy.visitor.post(url, { group: 'Group 1', kind: 'topic', text: 'From Wendy' })).statusCode, 403);
  const stranger = await signedIn(app, db, 'link_worker');
  t.equal((await stranger.visitor.get(url)).statusCode, 403, 'not registered');

  // Six days after the day: still open. Eight: read-only.
  await moveDay(db, day.id, 6 * 24 + 7);
  t.equal((await priya.visitor.post(url, { group: 'Group 2', kind: 'topic', text: 'Six days on' })).statusCode, 303);
  await moveDay(db, day.id, 8 * 24 + 7);
  const closed = await priya.visitor.get(url);
  t.match(closed.body, /The discussion closed 7 days after the day, so it can be read but not added to/);
  t.match(closed.body, /Six days on/);
  const late = await priya.visitor.post(url, { group: 'Group 2', kind: 'topic', text: 'Too late' });
  t.equal(late.statusCode, 400);
  t.match(late.body, /The discussion closed 7 days after the day/);
  t.equal((await notesOf(day.id)).length, 3, 'wendy, the stranger and the late note stored nothing');
});

t.test('erasing a participant keeps what the room said, no longer linked to them', async (t) => {
  const { day, priya } = await dayWithPeople();
  await moveDay(db, day.id, 2);
  t.equal((await priya.visitor.post(`/days/${day.id}/discussion`, { group: 'Group 4', kind: 'opportunity', text: 'Shared lunch' })).statusCode, 303);
  await db.transaction().execute((tx) => erasePerson(tx, SYSTEM, priya.user.id));
  t.match(await notesOf(day.id), [{ text: 'Shared lunch', authorRole: 'link_worker', authorId: null }]);
});
