import type { Role } from '../../src/db/tables/accounts.ts';

/**
 * The access-control matrix: every route the app registers, who may use it, and on whose records.
 * The access-matrix test checks everyone else is refused; the hostile-input fuzz test sends hostile
 * values to every route as each role that may use it.
 *
 * who:
 * - 'outside': not a page (static files, health checks, the open data API): no session at all.
 * - 'public': anyone; 'token': anyone, but the secret in the address is the credential.
 * - 'signed-in': any role; or a list of roles.
 * scope (who is limited to whose records, among the roles allowed):
 * - 'organisation': provider staff only their own organisation's (coordinators: everyone's).
 * - 'own': a link worker only their own bookings.
 * - 'published': a session someone else has not published is not there for link workers or
 *   other organisations' staff.
 * - 'self': something of the person's own account (a connected sign-in provider): nobody else's, whatever their role.
 */
export type Who = 'outside' | 'public' | 'token' | 'signed-in' | readonly Role[];
export type Scope = 'organisation' | 'own' | 'published' | 'self';
export type Entry = { who: Who; scope?: Scope; body?: Record<string, string>; signedOut?: number };

const coordinator = ['coordinator'] as const;
const staff = ['provider', 'coordinator'] as const;
const provider = ['provider'] as const;
const linkWorker = ['link_worker'] as const;

export const matrix: Record<string, Entry> = {
  // Infrastructure and the open data API
  'GET /static/*': { who: 'outside' },
  'GET /static/nhsuk-frontend.css': { who: 'outside' },
  'GET /static/nhsuk/*': { who: 'outside' },
  'GET /static/htmx/*': { who: 'outside' },
  'GET /healthz': { who: 'outside' },
  'GET /readyz': { who: 'outside' },
  'OPTIONS /openreferral/*': { who: 'outside' },
  'GET /openreferral': { who: 'outside' },
  'GET /openreferral/services': { who: 'outside' },
  'GET /openreferral/services/:id': { who: 'outside' },
  'GET /openreferral/service_at_locations': { who: 'outside' },
  'GET /openreferral/service_at_locations/:id': { who: 'outside' },
  'GET /openreferral/taxonomies': { who: 'outside' },
  'GET /openreferral/taxonomies/:id': { who: 'outside' },
  'GET /openreferral/taxonomy_terms': { who: 'outside' },
  'GET /openreferral/taxonomy_terms/:id': { who: 'outside' },
  'GET /openreferral/organizations': { who: 'outside' },
  'GET /openreferral/openapi.json': { who: 'outside' },
  // The public pages (src/public): outside the sessions, the same for everyone
  'GET /activities': { who: 'public' },
  'GET /activities/:id': { who: 'public' },
  'GET /providers/:id': { who: 'public' },
  'GET /providers/:id/embed': { who: 'public' },
  'GET /sitemap.xml': { who: 'public' },
  'GET /robots.txt': { who: 'public' },
  'GET /openreferral/organizations/:id': { who: 'outside' },
  'GET /calendar/:file': { who: 'token' },
  // The page frame
  'GET /': { who: 'public' },
  'GET /help': { who: 'public' },
  'GET /accessibility': { who: 'public' },
  'GET /privacy': { who: 'public' },
  // Accounts
  'GET /sign-in': { who: 'public' },
  'POST /sign-in': { who: 'public' },
  'GET /sign-in/two-step': { who: 'public' },
  'POST /sign-in/two-step': { who: 'public' },
  'POST /sign-out': { who: 'public' },
  'GET /signed-out': { who: 'public' },
  'GET /register': { who: 'public' },
  'POST /register': { who: 'public' },
  // The email a registration caused, shown in development only (no SMTP): an unguessable request id.
  'GET /register/sent/:id': { who: 'public' },
  'GET /register/confirm/:token': { who: 'token' },
  'POST /register/confirm/:token': { who: 'token' },
  'GET /invitations/:token': { who: 'token' },
  'POST /invitations/:token': { who: 'token', body: { name: 'Intruder', password: 'a long enough password', confirmPassword: 'a long enough password' } },
  'GET /reset-password': { who: 'public' },
  'POST /reset-password': { who: 'public' },
  'GET /reset-password/:token': { who: 'token' },
  'POST /reset-password/:token': { who: 'token', body: { password: 'a long enough password', confirmPassword: 'a long enough password' } },
  'GET /sign-in/email-link': { who: 'public' },
  'POST /sign-in/email-link': { who: 'public' },
  'GET /sign-in/link/:token': { who: 'token' },
  'POST /sign-in/link/:token': { who: 'token' },
  'GET /release-place/:token': { who: 'token' },
  'POST /release-place/:token': { who: 'token' },
  // The "stop these emails" link (RFC 8058 one-click): outside the pages, no session or CSRF.
  'GET /unsubscribe/:token': { who: 'token' },
  'POST /unsubscribe/:token': { who: 'token', body: { 'List-Unsubscribe': 'One-Click' } },
  'POST /session/keep-alive': { who: 'public', signedOut: 401 },
  // Signing in with an OpenID Connect provider (NHSmail, CIS2): 404 for a provider not configured.
  'POST /sign-in/with/:provider': { who: 'public' },
  'GET /sign-in/with/:provider/callback': { who: 'public' },
  'GET /sign-in/with/:provider/new-account': { who: 'public' },
  'POST /sign-in/with/:provider/new-account': { who: 'public' },
  'GET /sign-in/with/:provider/link-account': { who: 'public' },
  'POST /sign-in/with/:provider/link-account': { who: 'public' },
  'POST /account/sign-in-providers/:id/remove': { who: 'signed-in', scope: 'self' },
  // Your account: only ever your own, so nobody else's to aim at
  'GET /account': { who: 'signed-in' },
  'GET /account/preferences': { who: 'signed-in' },
  'POST /account/preferences': { who: 'signed-in' },
  'GET /account/two-step': { who: 'signed-in' },
  'GET /account/two-step/set-up': { who: 'signed-in' },
  'POST /account/two-step/set-up': { who: 'signed-in' },
  'POST /account/two-step/recovery-codes': { who: 'signed-in' },
  'POST /account/two-step/turn-off': { who: 'signed-in' },
  'GET /account/data': { who: 'signed-in' },
  'GET /account/data.json': { who: 'signed-in' },
  'GET /account/data.csv': { who: 'signed-in' },
  // People, data rights, audit
  'GET /people': { who: coordinator },
  'GET /people/invite': { who: coordinator },
  'POST /people/invite': { who: coordinator, body: { email: 'escalation@nhs.net', role: 'coordinator' } },
  'GET /people/:id': { who: coordinator },
  'POST /people/:id/role': { who: coordinator, body: { role: 'coordinator' } },
  'POST /people/:id/disable': { who: coordinator },
  'POST /people/:id/enable': { who: coordinator },
  'POST /people/:id/password-reset': { who: coordinator },
  'POST /people/:id/two-step/reset': { who: coordinator },
  'GET /people/:id/data': { who: coordinator },
  'GET /people/:id/data.json': { who: coordinator },
  'GET /people/:id/data.csv': { who: coordinator },
  'GET /people/:id/erase': { who: coordinator },
  'POST /people/:id/erase': { who: coordinator, body: { confirm: 'yes' } },
  'GET /audit': { who: coordinator },
  'GET /messages/undelivered': { who: coordinator },
  'POST /messages/undelivered/:id/send-again': { who: coordinator },
  'GET /dev/mailbox': { who: coordinator },
  'GET /dev/mailbox/:id/html': { who: coordinator },
  'GET /dev/mailbox/:id/attachments/:index': { who: coordinator },
  // Organisations
  'GET /organisations': { who: coordinator },
  'GET /organisations/new': { who: coordinator },
  'POST /organisations/new': { who: coordinator, body: { name: 'A new organisation', kind: 'museum', description: 'x' } },
  'GET /organisations/:id': { who: coordinator },
  'GET /organisations/:id/edit': { who: coordinator },
  'POST /organisations/:id/edit': { who: coordinator, body: { name: 'Taken over', kind: 'museum', description: 'x' } },
  'GET /organisation': { who: provider },
  'GET /organisation/edit': { who: provider },
  'POST /organisation/edit': { who: provider, body: { name: 'Renamed by someone else', kind: 'museum', description: 'x' } },
  // Publishing
  'GET /provider': { who: staff },
  'GET /provider/feedback': { who: provider },
  'GET /open-data': { who: coordinator },
  'GET /venues/new': { who: staff },
  'POST /venues/new': { who: staff, body: { name: 'A venue', addressLine1: '1 Road', town: 'Oxford', postcode: 'OX1 1AA' } },
  'GET /venues/:id/edit': { who: staff, scope: 'organisation' },
  'POST /venues/:id/edit': { who: staff, scope: 'organisation', body: { name: 'Taken over', addressLine1: '1 Road', town: 'Oxford', postcode: 'OX1 1AA' } },
  'POST /venues/:id/archive': { who: staff, scope: 'organisation' },
  'POST /venues/:id/restore': { who: staff, scope: 'organisation' },
  'GET /offers/new': { who: staff },
  'POST /offers/new': { who: staff, body: { title: 'An offer', category: 'arts_crafts', description: 'x', howToRefer: 'x', cost: 'free' } },
  'GET /offers/:id': { who: staff, scope: 'organisation' },
  'GET /offers/:id/edit': { who: staff, scope: 'organisation' },
  'POST /offers/:id/edit': {
    who: staff,
    scope: 'organisation',
    body: { title: 'Taken over', category: 'arts_crafts', description: 'x', howToRefer: 'x', cost: 'free' },
  },
  'POST /offers/:id/archive': { who: staff, scope: 'organisation' },
  'POST /offers/:id/restore': { who: staff, scope: 'organisation' },
  'GET /offers/:id/sessions/new': { who: staff, scope: 'organisation' },
  'POST /offers/:id/sessions/new': {
    who: staff,
    scope: 'organisation',
    body: { date: '2030-01-10', startTime: '14:00', endTime: '15:00', capacity: '10', isOnline: 'yes', joiningInstructions: 'x' },
  },
  'GET /sessions/:id': { who: 'signed-in', scope: 'published' },
  'GET /sessions/:id/edit': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/edit': { who: staff, scope: 'organisation', body: { capacity: '1' } },
  'POST /sessions/:id/publish': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/publish-series': { who: staff, scope: 'organisation' },
  'GET /sessions/:id/cancel': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/cancel': { who: staff, scope: 'organisation', body: { reason: 'Cancelled by someone else' } },
  // Places kept for PCNs: the session is chosen in the form, and checked there (another organisation's: not found)
  'GET /reservations/new': { who: staff },
  'POST /reservations': { who: staff, body: { places: '1', releaseDays: '1', pcn: 'Test PCN' } },
  'POST /reservations/:id/give-back': { who: staff, scope: 'organisation' },
  // A minimum to run
  'POST /sessions/:id/minimum': { who: staff, scope: 'organisation', body: { minimumBookings: '2' } },
  'POST /sessions/:id/run-anyway': { who: staff, scope: 'organisation' },
  'GET /sessions/:id/delete': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/delete': { who: staff, scope: 'organisation' },
  // Finding and booking
  'GET /find': { who: ['link_worker', 'coordinator'] },
  'GET /sessions/:id/book': { who: linkWorker, scope: 'published' },
  'POST /sessions/:id/book': { who: linkWorker, scope: 'published', body: { confidenceBefore: '5' } },
  'GET /sessions/:id/bookings': { who: staff, scope: 'organisation' },
  'GET /sessions/:id/attendees': { who: staff, scope: 'organisation' },
  'GET /sessions/:id/bookings.csv': { who: staff, scope: 'organisation' },
  'GET /bookings/:id': { who: linkWorker, scope: 'own' },
  'GET /bookings/:id/cancel': { who: linkWorker, scope: 'own' },
  'POST /bookings/:id/cancel': { who: linkWorker, scope: 'own' },
  'GET /bookings/:id/calendar.ics': { who: linkWorker, scope: 'own' },
  'GET /my-bookings': { who: linkWorker },
  // Taster days: coordinators build them; link workers and cultural-sector staff register
  'GET /days': { who: 'signed-in' },
  'GET /days/new': { who: coordinator },
  'POST /days/new': { who: coordinator, body: { title: 'A day made by someone else' } },
  'GET /days/:id': { who: 'signed-in', scope: 'published' },
  'POST /days/:id/publish': { who: coordinator },
  'GET /days/:id/items/new': { who: coordinator },
  'POST /days/:id/items/new': { who: coordinator, body: { kind: 'plenary', title: 'x', startTime: '10:00', endTime: '11:00' } },
  'GET /days/:id/items/:itemId/tasters/new': { who: coordinator },
  'POST /days/:id/items/:itemId/tasters/new': { who: coordinator, body: { title: 'x', capacity: '5' } },
  'GET /days/:id/registrations': { who: coordinator },
  'GET /days/:id/register': { who: ['link_worker', 'provider'], scope: 'published' },
  'POST /days/:id/register': { who: ['link_worker', 'provider'], scope: 'published' },
  'POST /days/:id/choices': { who: ['link_worker', 'provider'], scope: 'published' },
  'POST /days/:id/cancel': { who: ['link_worker', 'provider'], scope: 'published' },
  'POST /days/:id/participant-list': { who: ['link_worker', 'provider'], scope: 'published', body: { participantList: 'yes' } },
  'GET /days/:id/participants': { who: ['link_worker', 'provider', 'coordinator'], scope: 'published' },
  'GET /my-bookings/calendar-feed': { who: linkWorker },
  'POST /my-bookings/calendar-feed': { who: linkWorker },
  // Attendance, feedback, referrals, records, reports
  'GET /sessions/:id/register': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/register/walk-ins': { who: staff, scope: 'organisation', body: { email: 'walk-in@nhs.net' } },
  'POST /sessions/:id/register/complete': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/register/:bookingId': { who: staff, scope: 'organisation', body: { attendance: 'no_show' } },
  'GET /bookings/:id/feedback': { who: linkWorker, scope: 'own' },
  'POST /bookings/:id/feedback': {
    who: linkWorker,
    scope: 'own',
    body: { rating: '1', confidenceAfter: '0', intendsToRefer: 'no', comments: 'written by someone else' },
  },
  'GET /bookings/:id/missed': { who: linkWorker, scope: 'own' },
  'POST /bookings/:id/missed': { who: linkWorker, scope: 'own', body: { reason: 'forgot', details: 'written by someone else' } },
  'GET /referrals': { who: linkWorker },
  'GET /referrals/new': { who: linkWorker },
  'POST /referrals': { who: linkWorker },
  'GET /my-record': { who: linkWorker },
  'GET /my-record.csv': { who: linkWorker },
  'GET /reports': { who: coordinator },
  'GET /reports/export.csv': { who: coordinator },
};
