import t from 'tap';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

t.test('the privacy notice states the periods the service is configured with', async (t) => {
  const app = await buildTestApp(t, database, {
    sessionIdleMinutes: 20,
    sessionAbsoluteHours: 10,
    retention: { feedbackCommentsMonths: 18, auditMonths: 36, inactiveAccountMonths: 12, signInAttemptsDays: 45 },
  });
  const page = text((await app.inject({ method: 'GET', url: '/privacy' })).body);
  for (const statement of [
    'nobody has signed in to it for 1 year',
    'got in the way of a session you missed: 18 months',
    'copies of emails we sent: 3 years',
    'sign-in attempts: 45 days',
    'after 20 minutes without use, and never more than 10 hours',
    'data controller',
    'public task (UK GDPR Article 6(1)(e))',
    "Information Commissioner's Office",
    'download it at any time from Your data',
  ]) {
    t.ok(page.includes(statement), `says: ${statement}`);
  }
  const defaults = text((await (await buildTestApp(t, database)).inject({ method: 'GET', url: '/privacy' })).body);
  t.ok(defaults.includes('comments you write in feedback, and what you say got in the way of a session you missed: 2 years'));
  t.ok(defaults.includes('sign-in attempts: 90 days'));
});

t.test('the accessibility statement covers the time-out warning, reporting a problem and enforcement', async (t) => {
  const app = await buildTestApp(t, database, { sessionIdleMinutes: 20 });
  const response = await app.inject({ method: 'GET', url: '/accessibility' });
  t.equal(heading(response.body), 'Accessibility statement for Tasters');
  const page = text(response.body);
  for (const statement of [
    'do not use the service for 20 minutes, you are signed out',
    'At least 2 minutes before',
    'Stay signed in',
    'there is no warning before you are signed out for not using the service (20 minutes)',
    'Reporting accessibility problems with this service',
    'Enforcement procedure',
    'Equality and Human Rights Commission',
    'Equality Advisory and Support Service',
    'partially compliant',
    '2.2.1 (Timing adjustable)',
    'set-up key is shown as text',
  ]) {
    t.ok(page.includes(statement), `says: ${statement}`);
  }
});
