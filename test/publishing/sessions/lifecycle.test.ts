import t, { type Test } from 'tap';
import type { ActorInRole } from '../../../src/audit/actor.ts';
import type { Tx } from '../../../src/db/database.ts';
import { renderPendingMessages } from '../../../src/delivery/render.ts';
import { DomainError } from '../../../src/lib/errors.ts';
import { londonParts } from '../../../src/lib/london-time.ts';
import * as sessions from '../../../src/publishing/sessions/service.ts';
import { createBookings, createOffer, createSession, createVenue } from '../../fixtures/builders.ts';
import { at } from '../../fixtures/time.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../../helper.ts';
import { dateFields, londonDate, seriesFields, sessionFields, sessionIdFrom } from '../helpers.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const { visitor, user } = await signedIn(app, db, 'provider');
const organisationId = user.organisationId!;
const actor: ActorInRole = { id: user.id, role: 'provider', organisationId };
const venue = await createVenue(db, organisationId);
const offer = await createOffer(db, organisationId, { usualVenueId: venue.id });

const load = (id: string) => db.selectFrom('tasterSessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const audits = (id: string) => db.selectFrom('auditEvents').select('action').where('subjectId', '=', id).execute();

async function rejectsWith(t: Test, work: () => Promise<unknown>, code: string) {
  try {
    await work();
    t.fail(`expected ${code}`);
  } catch (error) {
    t.ok(error instanceof DomainError, 'a domain error');
    t.equal((error as DomainError).code, code, code);
  }
}

t.test('draft → published → cancelled through the pages, with an audit entry for each', async (t) => {
  const created = await visitor.post(`/offers/${offer.id}/sessions/new`, sessionFields(venue.id));
  const id = sessionIdFrom(created.headers.location);
  t.equal((await load(id)).status, 'draft');
  const draftPage = await visitor.get(`/sessions/${id}`);
  t.match(draftPage.body, /This is a draft/);
  t.match(draftPage.body, /Publish session/);

  const published = await visitor.post(`/sessions/${id}/publish`);
  t.equal(published.statusCode, 303);
  t.equal(published.headers.location, `/sessions/${id}?done=published`);
  const row = await load(id);
  t.equal(row.status, 'published');
  t.ok(row.publishedAt, 'publishedAt is set');

  const again = await visitor.post(`/sessions/${id}/publish`);
  t.equal(again.statusCode, 409, 'publishing twice is refused');
  t.same(errorSummary(again.body), ['status: This session is already published']);

  const noReason = await visitor.post(`/sessions/${id}/cancel`, { reason: '   ' });
  t.equal(noReason.statusCode, 400);
  t.equal(fieldError(noReason.body, 'reason'), 'Enter why the session is cancelled');
  t.equal((await load(id)).status, 'published', 'not cancelled without a reason');

  const cancelPage = await visitor.get(`/sessions/${id}/cancel`);
  t.equal(heading(cancelPage.body), 'Cancel this taster session');
  const cancelled = await visitor.post(`/sessions/${id}/cancel`, { reason: 'The facilitator is unwell' });
  t.equal(cancelled.statusCode, 303);
  const after = await load(id);
  t.equal(after.status, 'cancelled');
  t.equal(after.cancellationReason, 'The facilitator is unwell');
  t.ok(after.cancelledAt);
  const page = await visitor.get(`/sessions/${id}`);
  t.match(page.body, /This session is cancelled/);
  t.match(page.body, /The facilitator is unwell/);

  const actions = (await audits(id)).map((a) => a.action).sort();
  t.same(actions, ['session_cancelled', 'session_created', 'session_published']);
});

t.test('illegal transitions are refused with a stable code and change nothing', async (t) => {
  const draft = await createSession(db, offer.id, { venueId: venue.id, status: 'draft', capacity: 12 });
  const published = await createSession(db, offer.id, { venueId: venue.id, status: 'published', capacity: 12 });
  const cancelled = await createSession(db, offer.id, { venueId: venue.id, status: 'cancelled', capacity: 12 });
  const past = await createSession(db, offer.id, { venueId: venue.id, status: 'draft', startsAt: at(-3, 14), capacity: 12 });
  const run =
    <T>(work: (tx: Tx) => Promise<T>) =>
    () =>
      db.transaction().execute(work);

  await rejectsWith(
    t,
    run((tx) => sessions.cancelSession(tx, actor, draft.id, 'No reason')),
    'draft_not_cancellable',
  );
  await rejectsWith(
    t,
    run((tx) => sessions.cancelSession(tx, actor, cancelled.id, 'Again')),
    'already_cancelled',
  );
  await rejectsWith(
    t,
    run((tx) => sessions.publishSession(tx, actor, published.id)),
    'already_published',
  );
  await rejectsWith(
    t,
    run((tx) => sessions.publishSession(tx, actor, cancelled.id)),
    'session_cancelled',
  );
  await rejectsWith(
    t,
    run((tx) => sessions.publishSession(tx, actor, past.id)),
    'session_started',
  );
  await rejectsWith(
    t,
    run((tx) => sessions.deleteSession(tx, actor, published.id)),
    'not_draft',
  );
  await rejectsWith(
    t,
    run((tx) => sessions.deleteSession(tx, actor, cancelled.id)),
    'not_draft',
  );

  // The same through the pages: a 409 page saying why.
  const cases: Array<[string, Record<string, string>, string]> = [
    [`/sessions/${draft.id}/cancel`, { reason: 'x' }, 'This session is a draft that nobody can see yet. Delete it instead of cancelling it'],
    [`/sessions/${cancelled.id}/cancel`, { reason: 'x' }, 'This session is already cancelled'],
    [`/sessions/${cancelled.id}/publish`, {}, 'This session has been cancelled, so it cannot be published'],
    [`/sessions/${published.id}/delete`, {}, 'Only a draft can be deleted. Cancel a published session instead'],
    [`/sessions/${cancelled.id}/edit`, sessionFields(venue.id, { capacity: '20' }), 'This session has been cancelled, so it can no longer be changed'],
    [`/sessions/${past.id}/edit`, sessionFields(venue.id, { capacity: '20' }), 'This session has already started, so it can no longer be changed'],
  ];
  for (const [url, form, message] of cases) {
    const response = await visitor.post(url, form);
    t.equal(response.statusCode, 409, `POST ${url}`);
    t.same(errorSummary(response.body), [`status: ${message}`], message);
  }
  t.equal((await visitor.get(`/sessions/${cancelled.id}/edit`)).statusCode, 409, 'a cancelled session has no edit form');
  t.equal((await visitor.get(`/sessions/${draft.id}/cancel`)).statusCode, 409, 'a draft has no cancel form');
  t.equal((await visitor.get(`/sessions/${published.id}/delete`)).statusCode, 409, 'a published session has no delete form');

  t.same(
    [await load(draft.id), await load(published.id), await load(cancelled.id), await load(past.id)].map((s) => [s.status, s.capacity]),
    [
      ['draft', 12],
      ['published', 12],
      ['cancelled', 12],
      ['draft', 12],
    ],
    'nothing changed',
  );
  const cancelledPage = await visitor.get(`/sessions/${cancelled.id}`);
  t.notMatch(cancelledPage.body, /Edit session|Cancel session|Publish session/, 'a cancelled session offers no changes');
});

t.test('a draft can be deleted; it is gone and the deletion is recorded', async (t) => {
  const draft = await createSession(db, offer.id, { venueId: venue.id, status: 'draft' });
  const confirm = await visitor.get(`/sessions/${draft.id}/delete`);
  t.equal(heading(confirm.body), 'Delete this draft session');
  const deleted = await visitor.post(`/sessions/${draft.id}/delete`);
  t.equal(deleted.statusCode, 303);
  t.equal(deleted.headers.location, '/provider?done=deleted');
  t.equal(await db.selectFrom('tasterSessions').select('id').where('id', '=', draft.id).executeTakeFirst(), undefined);
  t.same(
    (await audits(draft.id)).map((a) => a.action),
    ['session_deleted'],
  );
});

t.test('a published session can be edited, but never below its confirmed bookings', async (t) => {
  const session = await createSession(db, offer.id, { venueId: venue.id, capacity: 6 });
  await createBookings(db, session.id, 'confirmed', 5);
  const form = await visitor.get(`/sessions/${session.id}/edit`);
  t.equal(heading(form.body), 'Edit taster session');
  t.match(form.body, /This session is published/);
  t.match(form.body, /name="capacity" type="text" value="6"/);

  const fields = (capacity: string) => {
    const values = Object.fromEntries(
      [...form.body.matchAll(/name="([a-zA-Z]+)" type="text" (?:inputmode="numeric" )?value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    return sessionFields(venue.id, { ...values, capacity, where: 'venue', venueId: venue.id });
  };
  const tooFew = await visitor.post(`/sessions/${session.id}/edit`, fields('4'));
  t.equal(tooFew.statusCode, 400);
  t.equal(fieldError(tooFew.body, 'capacity'), '5 people have a confirmed place, so there must be at least 5 places');
  t.equal((await load(session.id)).capacity, 6, 'capacity unchanged');

  const exactly = await visitor.post(`/sessions/${session.id}/edit`, fields('5'));
  t.equal(exactly.statusCode, 303, 'down to the number booked is fine');
  t.equal((await load(session.id)).capacity, 5);
  t.equal((await load(session.id)).startsAt.getTime(), session.startsAt.getTime(), 'the time is kept');
  const updated = await db
    .selectFrom('auditEvents')
    .select('details')
    .where('subjectId', '=', session.id)
    .where('action', '=', 'session_updated')
    .executeTakeFirstOrThrow();
  const details = typeof updated.details === 'string' ? JSON.parse(updated.details) : updated.details;
  t.same(details.capacity, { from: 6, to: 5 }, 'the audit entry records the change of capacity');
});

t.test('raising the capacity of a published session gives the new places to the waiting list, in order', async (t) => {
  const session = await createSession(db, offer.id, { venueId: venue.id, capacity: 2 });
  await createBookings(db, session.id, 'confirmed', 2);
  const waiting = await createBookings(db, session.id, 'waitlisted', 3);
  await db.transaction().execute(async (tx) => {
    const values = await sessions.updateSession(tx, actor, session.id, {
      startsAt: session.startsAt,
      endsAt: session.endsAt,
      bookingClosesAt: session.bookingClosesAt,
      isOnline: false,
      venueId: venue.id,
      joiningInstructions: null,
      capacity: 4,
      whatToBring: '',
      accessNotes: 'Moved to the bigger room',
      facilitatorNote: '',
      repeatWeeks: 1,
    });
    t.same(values, { promoted: 2 });
  });
  const bookings = await db.selectFrom('bookings').select(['id', 'status', 'promotedAt']).where('tasterSessionId', '=', session.id).execute();
  const status = (id: string) => bookings.find((b) => b.id === id)!.status;
  t.same(waiting.map(status), ['confirmed', 'confirmed', 'waitlisted'], 'the two longest waiting get the places');
  t.equal(bookings.filter((b) => b.status === 'confirmed').length, 4, 'never more confirmed than capacity');
  const promotions = await db
    .selectFrom('auditEvents')
    .select('subjectId')
    .where('action', '=', 'booking_promoted')
    .where('subjectId', 'in', waiting)
    .execute();
  t.equal(promotions.length, 2);

  // Through the page: the people promoted get one email each, with a link to their booking.
  const page = await createSession(db, offer.id, { venueId: venue.id, capacity: 1 });
  await createBookings(db, page.id, 'confirmed', 1);
  const [first, second] = await createBookings(db, page.id, 'waitlisted', 2);
  const raised = await visitor.post(
    `/sessions/${page.id}/edit`,
    sessionFields(venue.id, {
      ...dateFields(londonParts(page.startsAt).isoDate),
      startTime: londonParts(page.startsAt).time,
      endTime: londonParts(page.endsAt).time,
      capacity: '2',
    }),
  );
  t.equal(raised.statusCode, 303);
  const promotedPeople = await db.selectFrom('bookings').select(['userId', 'status']).where('id', 'in', [first!, second!]).execute();
  t.same(promotedPeople.map((b) => b.status).sort(), ['confirmed', 'waitlisted']);
  const promotedUser = (await db.selectFrom('bookings').select('userId').where('id', '=', first!).executeTakeFirstOrThrow()).userId;
  await renderPendingMessages(db); // as the delivery worker writes it from the facts queued with the change
  const mail = await db.selectFrom('outboxMessages').select(['kind', 'textBody']).where('recipientId', '=', promotedUser).execute();
  t.equal(mail.length, 1, 'one message to the person promoted');
  t.match(mail[0]!.textBody!, new RegExp(`/bookings/${first}`));

  // A draft with a raised capacity promotes nobody: nobody can book a draft.
  const draft = await createSession(db, offer.id, { venueId: venue.id, status: 'draft', capacity: 2 });
  const edited = await visitor.post(`/sessions/${draft.id}/edit`, sessionFields(venue.id, { capacity: '8' }));
  t.equal(edited.statusCode, 303);
  t.equal((await load(draft.id)).capacity, 8);
});

t.test('publishing a whole weekly series at once', async (t) => {
  const created = await visitor.post(`/offers/${offer.id}/sessions/new`, sessionFields(venue.id, seriesFields(londonDate(14), 3)));
  const id = sessionIdFrom(created.headers.location);
  const page = await visitor.get(`/sessions/${id}`);
  t.match(page.body, /Publish all 3 drafts in this series/);
  const published = await visitor.post(`/sessions/${id}/publish-series`);
  t.equal(published.statusCode, 303);
  const { seriesId } = await load(id);
  const series = await db.selectFrom('tasterSessions').select('status').where('seriesId', '=', seriesId).execute();
  t.same(
    series.map((s) => s.status),
    ['published', 'published', 'published'],
  );
  const again = await visitor.post(`/sessions/${id}/publish-series`);
  t.equal(again.statusCode, 409);
  t.same(errorSummary(again.body), ['status: There are no draft sessions in this series that can still be published']);
});

t.test('copying a session prefills the form a week later; saving makes a new draft', async (t) => {
  const original = await createSession(db, offer.id, { venueId: venue.id, capacity: 9, whatToBring: 'Wear comfortable shoes; tea provided' });
  const form = await visitor.get(`/offers/${offer.id}/sessions/new?copy=${original.id}`);
  t.equal(heading(form.body), 'Copy a taster session');
  t.match(form.body, /name="capacity" type="text" value="9"/);
  t.match(form.body, /Wear comfortable shoes; tea provided/);
  const values = Object.fromEntries(
    [...form.body.matchAll(/name="([a-zA-Z]+)" type="text" (?:inputmode="numeric" )?value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  const saved = await visitor.post(`/offers/${offer.id}/sessions/new`, {
    ...values,
    where: 'venue',
    venueId: venue.id,
    whatToBring: 'Wear comfortable shoes; tea provided',
  });
  t.equal(saved.statusCode, 303);
  const copy = await load(sessionIdFrom(saved.headers.location));
  t.not(copy.id, original.id);
  t.equal(copy.status, 'draft');
  t.equal(copy.capacity, 9);
  t.equal(copy.startsAt.getTime() - original.startsAt.getTime() >= 7 * 24 * 3_600_000 - 3_600_000, true, 'a week later');

  const otherOffer = await createOffer(db, organisationId);
  t.equal((await visitor.get(`/offers/${otherOffer.id}/sessions/new?copy=${original.id}`)).statusCode, 404, 'only copied within its own offer');
});

t.test('an archived offer takes no new sessions and its drafts cannot be published', async (t) => {
  const archived = await createOffer(db, organisationId, { status: 'archived' });
  const draft = await createSession(db, archived.id, { venueId: venue.id, status: 'draft' });
  const response = await visitor.post(`/offers/${archived.id}/sessions/new`, sessionFields(venue.id));
  t.equal(response.statusCode, 400);
  t.match(response.body, /This activity is archived. Restore it before adding taster sessions/);
  const publish = await visitor.post(`/sessions/${draft.id}/publish`);
  t.equal(publish.statusCode, 409);
  t.equal((await load(draft.id)).status, 'draft');
});
