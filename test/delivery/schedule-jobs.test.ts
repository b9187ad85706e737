import t from 'tap';
import { scheduledJobs, startSchedules } from '../../src/delivery/schedules.ts';
import { createTaster, createUser } from '../fixtures/builders.ts';
import { bossSchema, startTestBoss, waitFor } from '../fixtures/delivery.ts';
import { createTestDatabase } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
const schema = bossSchema(database);
t.teardown(async () => {
  await schema.drop();
  await database.close();
});

t.test('each scheduled job is registered with pg-boss in London time, and a run of it queues its messages', async (t) => {
  const boss = await startTestBoss(t, database, schema.name);
  const schedules = await startSchedules({
    boss,
    db,
    baseUrl: 'https://tasters.test',
    secret: 'a-secret-for-release-links-in-this-test',
    pollingIntervalSeconds: 0.5,
  });
  t.teardown(() => schedules.stop());
  const registered = await boss.getSchedules();
  t.same(
    registered.map((s) => [s.name, s.cron, s.timezone]).sort(),
    scheduledJobs.map((job) => [job.name, job.cron, 'Europe/London']).sort(),
    'reminders (sessions and days) and feedback hourly, referral questions daily, the digest on Monday mornings, released places every 5 minutes, the minimum check hourly',
  );
  t.same(Object.fromEntries(scheduledJobs.map((j) => [j.name, j.cron])), {
    'messages-reminders': '5 * * * *',
    'messages-day-reminders': '10 * * * *',
    'messages-feedback-requests': '20 * * * *',
    'messages-day-feedback-requests': '25 * * * *',
    'messages-referral-prompts': '0 10 * * *',
    'messages-digest': '0 8 * * 1',
    'places-released': '*/5 * * * *',
    'minimum-check': '10 * * * *',
  });

  // A session with places this week: the digest job, run by pg-boss as the schedule would, queues one.
  await createTaster(db, { title: 'Digest printing', startsAt: new Date(Date.now() + 3 * 24 * 3_600_000) });
  const coordinator = await createUser(db, 'coordinator');
  const jobId = await boss.send('messages-digest', {});
  const job = await waitFor(async () => {
    const [found] = await boss.findJobs<{ queued: number }>('messages-digest', { id: jobId! });
    return found?.state === 'completed' ? found : null;
  }, 'the digest job to finish');
  t.same(job.output, { queued: 1 });
  const digest = await db.selectFrom('outboxMessages').select(['recipientId', 'subject']).where('kind', '=', 'digest').execute();
  t.same(digest, [{ recipientId: coordinator.id, subject: 'Taster sessions with places left in the next two weeks' }]);

  const again = await boss.send('messages-digest', {});
  const second = await waitFor(async () => {
    const [found] = await boss.findJobs('messages-digest', { id: again! });
    return found?.state === 'completed' ? found : null;
  }, 'the second run');
  t.same(second.output, { queued: 0 }, 'a second run in the same week queues nothing');
});
