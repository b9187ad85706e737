import { sql } from 'kysely';
import t from 'tap';
import { RETENTION_CRON, RETENTION_JOB, startRetentionSchedule } from '../../src/privacy/schedule.ts';
import { bossSchema, startTestBoss, waitFor } from '../fixtures/delivery.ts';
import { createTestDatabase } from '../helper.ts';

const database = await createTestDatabase();
const schema = bossSchema(database);
t.teardown(async () => {
  await schema.drop();
  await database.close();
});
const { db } = database;

t.test('the retention policy is a daily job on the queue, and the job applies it', async (t) => {
  const boss = await startTestBoss(t, database, schema.name);
  const schedule = await startRetentionSchedule({
    boss,
    db,
    policy: { feedbackCommentsMonths: 24, auditMonths: 24, inactiveAccountMonths: 24, signInAttemptsDays: 90 },
    pollingIntervalSeconds: 0.5,
  });
  t.teardown(() => schedule.stop());
  const schedules = await boss.getSchedules(RETENTION_JOB);
  t.equal(schedules.length, 1, 'scheduled once, whichever instance starts first');
  t.match(schedules[0], { name: RETENTION_JOB, cron: RETENTION_CRON, options: { tz: 'Europe/London' } });
  t.match(RETENTION_CRON, /^\d+ \d+ \* \* \*$/, 'every day');

  await sql`insert into sign_in_attempts (email, address, succeeded, attempted_at) values ('old@nhs.net', '192.0.2.1', false, now() - interval '100 days'), ('new@nhs.net', '192.0.2.1', false, now())`.execute(
    db,
  );
  await boss.send(RETENTION_JOB, {});
  await waitFor(
    async () => !(await db.selectFrom('signInAttempts').select('id').where('email', '=', 'old@nhs.net').executeTakeFirst()),
    'the job to delete the old sign-in attempt',
  );
  t.ok(await db.selectFrom('signInAttempts').select('id').where('email', '=', 'new@nhs.net').executeTakeFirst(), 'the recent one stays');
});
