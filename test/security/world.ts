import type { FastifyInstance, RouteOptions } from 'fastify';
import { DateTime } from 'luxon';
import { buildApp } from '../../src/app.ts';
import { type Config, testConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import type { Attendance } from '../../src/db/tables/bookings.ts';
import { newToken } from '../../src/lib/tokens.ts';
import { queueMessage } from '../../src/messages/outbox.ts';
import {
  createBooking,
  createFeedback,
  createMissedReason,
  createOffer,
  createOrganisation,
  createReferralReport,
  createSession,
  createUser,
  createVenue,
} from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { HOSTILE } from '../fixtures/hostile.ts';
import { daysFromNow } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import type { TestDatabase } from '../helper.ts';

export type Route = { method: string; url: string };

/** The real app, with every route it registers collected as it is registered. */
export async function appWithRoutes(t: { teardown: (fn: () => unknown) => void }, database: TestDatabase, overrides: Partial<Config> = {}) {
  const routes: Route[] = [];
  const collect = (route: RouteOptions) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  };
  const app = await buildApp({ config: testConfig(overrides), db: database.db, onRoute: collect });
  t.teardown(() => app.close());
  await app.ready();
  return { app, routes };
}

async function organisationWorld(db: Db, label: string) {
  const organisation = await createOrganisation(db, {
    name: `${label} ${HOSTILE} ${Date.now()}`,
    description: `About ${HOSTILE}`,
    contactEmail: `contact-${label.toLowerCase()}@example.org`,
  });
  const provider = await createUser(db, 'provider', { organisationId: organisation.id, name: `Provider ${label} ${HOSTILE}` });
  const venue = await createVenue(db, organisation.id, { name: `Hall ${label} ${HOSTILE}`, addressLine2: HOSTILE, travelNotes: HOSTILE, accessNotes: HOSTILE });
  const offer = await createOffer(db, organisation.id, {
    title: `Singing ${label} ${HOSTILE}`,
    description: HOSTILE,
    suits: HOSTILE,
    howToRefer: HOSTILE,
    costNote: HOSTILE,
    scheduleNote: HOSTILE,
    usualVenueId: venue.id,
  });
  const common = { venueId: venue.id, whatToBring: HOSTILE, accessNotes: HOSTILE, facilitatorNote: HOSTILE };
  const upcoming = await createSession(db, offer.id, { ...common, startsAt: daysFromNow(7) });
  const past = await createSession(db, offer.id, { ...common, startsAt: daysFromNow(-3) });
  const draft = await createSession(db, offer.id, { ...common, startsAt: daysFromNow(14), status: 'draft' });
  return { organisation, provider, venue, offer, sessions: { upcoming, past, draft } };
}

/** A booking confirmed ten days ago, its attendance (if any) recorded three days ago. */
async function book(db: Db, sessionId: string, userId: string, attendance: Attendance | null = null, recordedBy: string | null = null) {
  return createBooking(db, sessionId, userId, {
    at: daysFromNow(-10),
    attendance,
    attendanceRecordedAt: attendance ? daysFromNow(-3) : null,
    attendanceRecordedBy: recordedBy,
    confidenceBefore: 4,
  });
}

async function linkWorkerWorld(db: Db, label: string, a: Awaited<ReturnType<typeof organisationWorld>>, b: Awaited<ReturnType<typeof organisationWorld>>) {
  const person = await createUser(db, 'link_worker', { name: `Link ${label} ${HOSTILE}`, practice: `Practice ${HOSTILE}`, pcn: `PCN ${label} ${HOSTILE}` });
  const upcoming = await book(db, a.sessions.upcoming.id, person.id);
  const attended = await book(db, a.sessions.past.id, person.id, 'attended', a.provider.id);
  const missed = await book(db, b.sessions.past.id, person.id, 'no_show', b.provider.id);
  await createFeedback(db, attended.id, { confidenceAfter: 8, comments: HOSTILE, referringEasier: HOSTILE });
  await createMissedReason(db, missed.id, { reason: 'other', details: HOSTILE });
  await createReferralReport(db, person.id, a.offer.id, DateTime.now().setZone('Europe/London').toFormat('yyyy-MM'), 2);
  const feed = newToken();
  await db.insertInto('calendarFeeds').values({ userId: person.id, tokenHash: feed.hash }).execute();
  // Signs in with NHSmail too: the identity is theirs alone to remove.
  const identity = await db
    .insertInto('signInIdentities')
    .values({ userId: person.id, provider: 'nhsmail', subject: `subject-${label}-${Date.now()}`, email: person.email })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { person, bookings: { upcoming, attended, missed }, calendarToken: feed.token, identityId: identity.id };
}

export type SecurityWorld = Awaited<ReturnType<typeof buildSecurityWorld>>;

/**
 * Two organisations (A and B) with a provider each, two link workers with bookings, feedback and
 * referrals, and a coordinator. Every free-text field holds hostile markup.
 */
export async function buildSecurityWorld(app: FastifyInstance, db: Db) {
  const a = await organisationWorld(db, 'A');
  const b = await organisationWorld(db, 'B');
  const coordinator = await createUser(db, 'coordinator', { name: `Coordinator ${HOSTILE}` });
  const linkWorker = await linkWorkerWorld(db, 'One', a, b);
  const otherLinkWorker = await linkWorkerWorld(db, 'Two', b, a);
  await queueMessage(db, { dedupeKey: `hostile-${Date.now()}`, kind: 'test', to: 'someone@nhs.net', subject: `Subject ${HOSTILE}`, text: HOSTILE });
  const message = await db.selectFrom('outboxMessages').select('id').orderBy('createdAt', 'desc').executeTakeFirstOrThrow();

  // Through the sign-in page: the names hold hostile markup, which the quick way's check would not find on the page.
  const visitors = {
    coordinator: (await signedIn(app, db, coordinator, { withPassword: true })).visitor,
    providerA: (await signedIn(app, db, a.provider, { withPassword: true })).visitor,
    providerB: (await signedIn(app, db, b.provider, { withPassword: true })).visitor,
    linkWorker: (await signedIn(app, db, linkWorker.person, { withPassword: true })).visitor,
  };
  // A published taster day, so the fuzz reaches the days' forms.
  const day = await createDay(db);
  return { a, b, coordinator, linkWorker, otherLinkWorker, message, visitors, day };
}
