import type { PgBoss } from 'pg-boss';
import { queueDayFeedbackRequests } from '../days/feedback-requests.ts';
import { queueDayReminders } from '../days/reminders.ts';
import type { Db } from '../db/database.ts';
import { LONDON } from '../lib/view-helpers.ts';
import { type Log, silentLog } from '../messages/boss.ts';
import { tellShortSessions } from '../minimum/service.ts';
import { promoteAtRelease } from '../reservations/service.ts';
import { queueDigests, queueFeedbackRequests, queueReferralPrompts, queueReminders, type ScheduleContext } from './scheduled.ts';

/**
 * When each scheduled message job runs, in London time. pg-boss sends one job per occurrence
 * across all instances; whichever instance fetches it queues the messages. Reminders and feedback
 * requests run hourly so a missed run (a deploy, an outage) is made up within the hour; the dedupe
 * keys make every extra run harmless.
 */
export const scheduledJobs: ReadonlyArray<{ name: string; cron: string; run: (context: ScheduleContext) => Promise<number> }> = [
  { name: 'messages-reminders', cron: '5 * * * *', run: queueReminders },
  { name: 'messages-day-reminders', cron: '10 * * * *', run: queueDayReminders },
  { name: 'messages-feedback-requests', cron: '20 * * * *', run: queueFeedbackRequests },
  { name: 'messages-day-feedback-requests', cron: '25 * * * *', run: queueDayFeedbackRequests },
  { name: 'messages-referral-prompts', cron: '0 10 * * *', run: queueReferralPrompts },
  { name: 'messages-digest', cron: '0 8 * * 1', run: queueDigests },
  // Places kept for a PCN count as released from their time on (book_place knows it); this makes
  // sure the people waiting are promoted then, even if nobody books (src/reservations/service.ts).
  { name: 'places-released', cron: '*/5 * * * *', run: ({ db, baseUrl, now }) => promoteAtRelease(db, now, { baseUrl }) },
  // Sessions short of their minimum at MINIMUM_CHECK_HOURS before: their staff are told (src/minimum).
  {
    name: 'minimum-check',
    cron: '10 * * * *',
    run: ({ db, baseUrl, now, minimumCheckHours }) => tellShortSessions(db, { now, hours: minimumCheckHours ?? 72, baseUrl }),
  },
];

export type Schedules = { stop: () => Promise<void> };

export async function startSchedules(options: {
  boss: PgBoss;
  db: Db;
  baseUrl: string;
  secret: string;
  /** MINIMUM_CHECK_HOURS, for the minimum-check job. */
  minimumCheckHours?: number;
  log?: Log;
  /** How often each instance looks for a due job; a run waits at most this long after its time. */
  pollingIntervalSeconds?: number;
}): Promise<Schedules> {
  const { boss, db, baseUrl, secret } = options;
  const log = options.log ?? silentLog;
  for (const job of scheduledJobs) {
    // One run at a time; a failed run is tried again a few times, then waits for the next occurrence.
    await boss.createQueue(job.name, { policy: 'singleton', retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 900 });
    // A deployment that was down at 8am on Monday still sends that week's digest when it returns.
    await boss.schedule(job.name, job.cron, null, { tz: LONDON, missed: 'once' });
    await boss.work(job.name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 15 }, async () => {
      const queued = await job.run({ db, baseUrl, secret, now: new Date(), minimumCheckHours: options.minimumCheckHours });
      log.info({ job: job.name, queued }, 'scheduled messages queued');
      return { queued };
    });
  }
  return {
    stop: async () => {
      // All at once: each stops fetching now, and a run in progress finishes.
      await Promise.all(scheduledJobs.map((job) => boss.offWork(job.name, { wait: true })));
    },
  };
}
