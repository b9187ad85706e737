import type { PgBoss } from 'pg-boss';
import type { RetentionPolicy } from '../config.ts';
import type { Db } from '../db/database.ts';
import { LONDON } from '../lib/view-helpers.ts';
import { applyRetention } from './retention.ts';

type Log = { info: (details: object, message: string) => void };

export const RETENTION_JOB = 'privacy-retention';
// Daily, at a quiet hour in London. pg-boss sends one job per day across all instances.
export const RETENTION_CRON = '30 3 * * *';

/** Runs the retention policy daily on the job queue (src/messages/boss.ts). */
export async function startRetentionSchedule(options: { boss: PgBoss; db: Db; policy: RetentionPolicy; log?: Log; pollingIntervalSeconds?: number }) {
  const { boss, db, policy } = options;
  // One run at a time; a failed run is retried a few times, and every run is safe to repeat.
  await boss.createQueue(RETENTION_JOB, { policy: 'singleton', retryLimit: 3, retryDelay: 300, retryBackoff: true, expireInSeconds: 1800 });
  // A deployment that was down at 3.30am catches up once when it returns.
  await boss.schedule(RETENTION_JOB, RETENTION_CRON, null, { tz: LONDON, missed: 'once' });
  await boss.work(RETENTION_JOB, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 60 }, async () => {
    const result = await applyRetention(db, new Date(), policy);
    options.log?.info({ job: RETENTION_JOB, ...result }, 'retention policy applied');
    return result;
  });
  return { stop: () => boss.offWork(RETENTION_JOB, { wait: true }) };
}
