import t from 'tap';
import { bookForColleague } from '../../src/bookings/colleague.ts';
import { createBooking, createOffer, createOrganisation, createSession, createVenue } from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { createDayFeedback, createDayRegistration } from '../fixtures/days-after.ts';
import { daysFromNow as days } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { findText, rowsMentioning } from './world.ts';

/**
 * The data rights over what the taster days, provider messages and booking for a colleague added:
 * a person's download has their registrations, tasters, feedback, notes, proposals and messages
 * in sections of their own, and erasing them leaves the rows as anonymous counts without their words.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

type Download = { sections: Record<string, { title: string; rows: Array<Record<string, unknown>> }> };

const coordinator = await signedIn(app, db, 'coordinator');
const approver = await signedIn(app, db, 'coordinator', { name: 'Agatha Approver' });
const subject = await signedIn(app, db, 'link_worker', {
  name: 'Ysolde Marchbanks',
  email: `ysolde.marchbanks.${Date.now()}@nhs.net`,
  pcn: 'Canal PCN',
  practice: 'Lock Street Surgery',
});
const colleague = await signedIn(app, db, 'link_worker', { name: 'Colm Colleague', pcn: 'Canal PCN', practice: 'Wharf Practice' });
const museum = await createOrganisation(db, { name: `Museum of Rights ${Date.now()}` });
const provider = await signedIn(app, db, 'provider', { name: 'Peregrine Provider', organisationId: museum.id });

// A taster day the subject came to: needs, list choices, a taster, feedback and a note.
const day = await createDay(db, { inDays: -3 });
const registration = await createDayRegistration(db, day.id, subject.user.id, {
  shareEmail: true,
  attendance: 'attended',
  choices: [{ tasterId: day.tasters[0]!.id, slotId: day.slotId, attendance: 'attended' }],
});
await db
  .updateTable('dayRegistrations')
  .set({ accessNeeds: 'A seat near the door', dietaryNeeds: 'No nuts', onParticipantList: true })
  .where('id', '=', registration.id)
  .execute();
await createDayFeedback(db, registration.id, null, { comments: 'A day well spent', referringEasier: 'A list of contacts' });
await createDayFeedback(db, registration.id, registration.choiceIds[0]!, { comments: 'The singing was joyful', rating: 5 });
await db
  .insertInto('dayDiscussionNotes')
  .values({ tasterDayId: day.id, groupName: 'Group A', kind: 'barrier', text: 'Bus fares are too dear', authorId: subject.user.id, authorRole: 'link_worker' })
  .execute();

// A day the provider proposed, returned by a coordinator with a reason, and one the approver approved.
const proposed = await createDay(db, { status: 'draft', inDays: 30 });
await db.updateTable('tasterDays').set({ organisationId: museum.id, createdBy: provider.user.id }).where('id', '=', proposed.id).execute();
await db
  .insertInto('dayProposals')
  .values({ tasterDayId: proposed.id, submittedAt: days(-2), returnedAt: days(-1), returnedBy: approver.user.id, returnReason: 'Please add a lunch break' })
  .execute();
await db
  .updateTable('tasterDays')
  .set({ createdBy: approver.user.id, approvedBy: approver.user.id, approvedAt: days(-20) })
  .where('id', '=', day.id)
  .execute();

// A session of the museum: the provider holds places for a PCN, runs it anyway and messages its people.
const singing = await createOffer(db, museum.id, { title: 'Rights singing' });
const hall = await createVenue(db, museum.id);
const session = await createSession(db, singing.id, {
  venueId: hall.id,
  startsAt: days(10),
  capacity: 10,
  runAnywayBy: provider.user.id,
  runAnywayAt: days(-1),
});
await db
  .insertInto('sessionReservations')
  .values({ tasterSessionId: session.id, pcn: 'Canal PCN', places: 2, releaseDays: 3, createdBy: provider.user.id })
  .execute();
await db
  .insertInto('sessionBroadcasts')
  .values({ tasterSessionId: session.id, audience: 'booked', body: 'Please bring comfortable shoes', recipients: 2, sentBy: provider.user.id })
  .execute();

// The subject books for their colleague; the colleague's own place was booked for the subject by
// the colleague the other way round on another session, and the subject checked themselves in.
const made = await bookForColleague(db, { id: subject.user.id, address: null }, session.id, colleague.user.id);
const earlier = await createSession(db, singing.id, { venueId: hall.id, startsAt: days(-4), capacity: 10 });
const ownBooking = await createBooking(db, earlier.id, subject.user.id, {
  bookedBy: colleague.user.id,
  attendance: 'attended',
  attendanceRecordedAt: days(-4),
  attendanceMarkedBy: 'self_check_in',
});

async function download(visitor: typeof subject.visitor): Promise<Download> {
  const response = await visitor.get('/account/data.json');
  t.equal(response.statusCode, 200);
  return JSON.parse(response.body) as Download;
}

t.test("a link worker's download has their taster days, tasters, feedback and notes, each in its own section", async (t) => {
  const data = await download(subject.visitor);
  const registrations = data.sections.dayRegistrations?.rows ?? [];
  t.equal(registrations.length, 1, 'their registration');
  t.match(registrations[0], {
    day: /^Knowledge-exchange day/,
    audience: 'link_worker',
    status: 'confirmed',
    accessNeeds: 'A seat near the door',
    dietaryNeeds: 'No nuts',
    onParticipantList: true,
    shareEmail: true,
    attendance: 'attended',
  });
  const choices = data.sections.dayTasterChoices?.rows ?? [];
  t.equal(choices.length, 1, 'their taster');
  t.match(choices[0], { taster: 'Singing taster', slot: 'Afternoon tasters', status: 'confirmed', attendance: 'attended' });
  const feedback = data.sections.dayFeedback?.rows ?? [];
  t.same(feedback.map((f) => f.comments).sort(), ['A day well spent', 'The singing was joyful'], 'their feedback on the day and on the taster');
  t.match(
    feedback.find((f) => f.taster),
    { taster: 'Singing taster', rating: 5 },
  );
  t.match(data.sections.dayDiscussionNotes?.rows, [{ text: 'Bus fares are too dear', group: 'Group A', kind: 'barrier' }]);
  // Nothing about them is left to the generic pass, which would show raw rows under table names.
  for (const raw of ['day_registrations.user_id', 'day_discussion_notes.author_id', 'bookings.booked_by']) t.notOk(data.sections[raw], `no raw section ${raw}`);

  // Every row of the day tables about them is in a section: counted by their id and their registration's.
  for (const [table, section] of [
    ['day_registrations', 'dayRegistrations'],
    ['day_taster_choices', 'dayTasterChoices'],
    ['day_feedback', 'dayFeedback'],
    ['day_discussion_notes', 'dayDiscussionNotes'],
  ] as const) {
    const count = await rowsMentioning(db, table, [subject.user.id, registration.id]);
    t.equal(data.sections[section]?.rows.length, count, `${table}: all ${count} rows`);
  }
});

t.test('a coordinator acting on their request reads the same sections, about them', async (t) => {
  const page = await coordinator.visitor.get(`/people/${subject.user.id}/data`);
  t.equal(page.statusCode, 200);
  for (const title of [
    'Taster days they registered for',
    'Tasters they chose on taster days',
    'Feedback on taster days and their tasters',
    'Notes they added to a taster day&#39;s discussion',
    'Places they booked for colleagues',
  ])
    t.ok(page.body.includes(title), title);
});

t.test('a booking made for a colleague: the colleague sees who booked, the booker sees the name only', async (t) => {
  const booker = await download(subject.visitor);
  const forOthers = booker.sections.bookingsMadeForOthers?.rows ?? [];
  t.equal(forOthers.length, 1);
  t.same(Object.keys(forOthers[0]!).sort(), ['activity', 'bookedAt', 'colleague', 'id', 'organisation', 'sessionStartsAt']);
  t.match(forOthers[0], { id: made.bookingId, colleague: 'Colm Colleague', activity: 'Rights singing' });
  const own = booker.sections.bookings!.rows.find((b) => b.id === ownBooking.id);
  t.match(own, { bookedBy: 'Colm Colleague', attendanceMarkedBy: 'self_check_in' }, 'their own booking says who made it and how attendance was marked');

  const theirs = await download(colleague.visitor);
  t.match(
    theirs.sections.bookings!.rows.find((b) => b.id === made.bookingId),
    { bookedBy: 'Ysolde Marchbanks' },
  );
  t.notOk(JSON.stringify(booker.sections.bookingsMadeForOthers).includes('Wharf Practice'), "no colleague's practice");
});

t.test("a provider's download has the days they proposed, with the reason one was returned, and the messages they sent", async (t) => {
  const data = await download(provider.visitor);
  t.match(data.sections.dayProposals?.rows, [{ title: /^Knowledge-exchange day/, status: 'draft', returnReason: 'Please add a lunch break' }]);
  t.match(data.sections.sessionMessages?.rows, [{ activity: 'Rights singing', audience: 'booked', body: 'Please bring comfortable shoes', recipients: 2 }]);
  for (const raw of ['session_broadcasts.sent_by', 'taster_days.created_by']) t.notOk(data.sections[raw], `no raw section ${raw}`);
});

t.test('erasing the link worker: their day rows stay as counts, without their words or a link to them', async (t) => {
  const erased = await coordinator.visitor.post(`/people/${subject.user.id}/erase`, { confirm: 'yes' });
  t.equal(erased.statusCode, 200);
  t.match(await db.selectFrom('dayRegistrations').selectAll().where('id', '=', registration.id).executeTakeFirstOrThrow(), {
    userId: subject.user.id,
    status: 'confirmed',
    attendance: 'attended',
    accessNeeds: null,
    dietaryNeeds: null,
    onParticipantList: false,
    shareEmail: false,
  });
  const feedback = await db.selectFrom('dayFeedback').select(['rating', 'comments', 'referringEasier']).where('registrationId', '=', registration.id).execute();
  t.equal(feedback.length, 2, 'the feedback scores stay');
  t.ok(
    feedback.every((f) => f.comments === null && f.referringEasier === null),
    'the words go',
  );
  const note = await db.selectFrom('dayDiscussionNotes').select(['text', 'authorId']).where('tasterDayId', '=', day.id).executeTakeFirstOrThrow();
  t.same(note, { text: 'Bus fares are too dear', authorId: null }, "the room's note stays, unlinked");
  const booking = await db.selectFrom('bookings').select(['userId', 'bookedBy', 'status']).where('id', '=', made.bookingId).executeTakeFirstOrThrow();
  t.same(booking, { userId: colleague.user.id, bookedBy: null, status: 'confirmed' }, "the colleague's place stays; who booked it goes");
  for (const trace of ['Ysolde', 'Marchbanks', 'Lock Street Surgery']) t.same(await findText(db, trace), [], `no "${trace}" anywhere`);
  const theirs = await download(colleague.visitor);
  t.equal(theirs.sections.bookings!.rows.find((b) => b.id === made.bookingId)?.bookedBy, null, "the colleague's download no longer names them");
});

t.test('erasing the provider and the approving coordinator: organisation records stay, unlinked from them', async (t) => {
  t.equal((await coordinator.visitor.post(`/people/${provider.user.id}/erase`, { confirm: 'yes' })).statusCode, 200);
  t.equal((await coordinator.visitor.post(`/people/${approver.user.id}/erase`, { confirm: 'yes' })).statusCode, 200);
  t.match(await db.selectFrom('sessionBroadcasts').select(['body', 'sentBy']).where('tasterSessionId', '=', session.id).executeTakeFirstOrThrow(), {
    body: 'Please bring comfortable shoes',
    sentBy: null,
  });
  t.equal((await db.selectFrom('sessionReservations').select('places').where('tasterSessionId', '=', session.id).execute()).length, 1, 'the held places stay');
  t.equal((await db.selectFrom('tasterDays').select('id').where('id', 'in', [day.id, proposed.id]).execute()).length, 2, 'the days stay');
  for (const trace of ['Peregrine', 'Agatha Approver']) t.same(await findText(db, trace), [], `no "${trace}" anywhere`);
});
