import type { FastifyInstance, RouteOptions } from 'fastify';
import { DateTime } from 'luxon';
import { buildApp } from '../../src/app.ts';
import { type Config, testConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import { newToken } from '../../src/lib/tokens.ts';
import { queueMessage } from '../../src/messages/outbox.ts';
import { Visitor, type TestDatabase } from '../helper.ts';
import { createOrganisation, createUser, PASSWORD } from '../fixtures/accounts.ts';
import { createOffer, createTasterSession, createVenue } from '../fixtures/publishing.ts';

/** Text that would run, load or fetch something if any page printed it unescaped. */
export const HOSTILE = `<script>alert(1)</script>"><img src=x onerror=alert(2)><div hx-get="/x" hx-trigger="load">`;
/** Its dangerous pieces: none may appear as markup in any HTML answer. */
export const HOSTILE_MARKUP = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '<div hx-get="/x" hx-trigger="load">'];

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

const days = (n: number) => new Date(Date.now() + n * 86_400_000);

async function organisationWorld(db: Db, label: string) {
  const organisation = await createOrganisation(db, { name: `${label} ${HOSTILE} ${Date.now()}` });
  await db.updateTable('organisations').set({ description: `About ${HOSTILE}`, contactEmail: `contact-${label.toLowerCase()}@example.org` }).where('id', '=', organisation.id).execute();
  const provider = await createUser(db, 'provider', { organisationId: organisation.id, name: `Provider ${label} ${HOSTILE}` });
  const venue = await createVenue(db, organisation.id, { name: `Hall ${label} ${HOSTILE}`, addressLine2: HOSTILE, travelNotes: HOSTILE, accessNotes: HOSTILE });
  const offer = await createOffer(db, organisation.id, { title: `Singing ${label} ${HOSTILE}`, description: HOSTILE, suits: HOSTILE, howToRefer: HOSTILE, costNote: HOSTILE, scheduleNote: HOSTILE, usualVenueId: venue.id });
  const common = { venueId: venue.id, whatToBring: HOSTILE, accessNotes: HOSTILE, facilitatorNote: HOSTILE };
  const upcoming = await createTasterSession(db, offer.id, { ...common, startsAt: days(7) });
  const past = await createTasterSession(db, offer.id, { ...common, startsAt: days(-3) });
  const draft = await createTasterSession(db, offer.id, { ...common, startsAt: days(14), status: 'draft' });
  return { organisation, provider, venue, offer, sessions: { upcoming, past, draft } };
}

async function book(db: Db, sessionId: string, userId: string, attendance: 'attended' | 'no_show' | null = null, recordedBy: string | null = null) {
  return db
    .insertInto('bookings')
    .values({ tasterSessionId: sessionId, userId, status: 'confirmed', confirmedAt: days(-10), attendance, attendanceRecordedAt: attendance ? days(-3) : null, attendanceRecordedBy: recordedBy, confidenceBefore: 4 })
    .returning('id')
    .executeTakeFirstOrThrow();
}

async function linkWorkerWorld(db: Db, label: string, a: Awaited<ReturnType<typeof organisationWorld>>, b: Awaited<ReturnType<typeof organisationWorld>>) {
  const person = await createUser(db, 'link_worker', { name: `Link ${label} ${HOSTILE}`, practice: `Practice ${HOSTILE}`, pcn: `PCN ${label} ${HOSTILE}` });
  const upcoming = await book(db, a.sessions.upcoming.id, person.id);
  const attended = await book(db, a.sessions.past.id, person.id, 'attended', a.provider.id);
  const missed = await book(db, b.sessions.past.id, person.id, 'no_show', b.provider.id);
  await db.insertInto('feedback').values({ bookingId: attended.id, confidenceAfter: 8, rating: 4, intendsToRefer: 'yes', comments: HOSTILE, referringEasier: HOSTILE }).execute();
  await db.insertInto('missedSessionReasons').values({ bookingId: missed.id, reason: 'other', details: HOSTILE }).execute();
  const month = DateTime.now().setZone('Europe/London').startOf('month').toISODate()!;
  await db.insertInto('referralReports').values({ userId: person.id, offerId: a.offer.id, month, referralCount: 2 }).execute();
  const feed = newToken();
  await db.insertInto('calendarFeeds').values({ userId: person.id, tokenHash: feed.hash }).execute();
  return { person, bookings: { upcoming, attended, missed }, calendarToken: feed.token };
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

  const visitors = {
    coordinator: new Visitor(app),
    providerA: new Visitor(app),
    providerB: new Visitor(app),
    linkWorker: new Visitor(app),
  };
  await visitors.coordinator.signIn(coordinator.email, PASSWORD);
  await visitors.providerA.signIn(a.provider.email, PASSWORD);
  await visitors.providerB.signIn(b.provider.email, PASSWORD);
  await visitors.linkWorker.signIn(linkWorker.person.email, PASSWORD);
  return { a, b, coordinator, linkWorker, otherLinkWorker, message, visitors };
}
