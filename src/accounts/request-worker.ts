import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/database.ts';
import { type Log, silentLog, startDispatcher } from '../messages/boss.ts';
import { listUndispatchedAccountRequests, markAccountRequestsDispatched } from './queries.ts';
import { runAccountRequest } from './requests.ts';

export const ACCOUNT_REQUESTS_QUEUE = 'accounts-requests';

type RequestJob = { requestId: string };

/**
 * Gives each new registration or reset request a job, as src/messages/worker.ts does for the
 * outbox: the job's id is the request's, so two instances dispatching at once make one job.
 */
export async function dispatchAccountRequests(db: Db, boss: PgBoss, limit = 200): Promise<number> {
  const rows = await listUndispatchedAccountRequests(db, limit);
  if (rows.length === 0) return 0;
  const ids = rows.map((row) => row.id);
  await boss.insert(
    ACCOUNT_REQUESTS_QUEUE,
    ids.map((id) => ({ id, data: { requestId: id } satisfies RequestJob })),
  );
  await markAccountRequestsDispatched(db, ids);
  return rows.length;
}

export type AccountRequestWorker = {
  /** Gives jobs to any new requests now, rather than at the next tick. */
  dispatchNow: () => Promise<number>;
  stop: () => Promise<void>;
};

/**
 * Handles registration and password-reset requests on the job queue (pg-boss, src/messages/boss.ts),
 * so the page that took the request did the same work for every address. Someone waits for
 * the email, so the queue is looked at every second.
 */
export async function startAccountRequestWorker(options: {
  db: Db;
  /** A started pg-boss. The worker adds its queue and handler; the caller stops pg-boss. */
  boss: PgBoss;
  baseUrl: string;
  log?: Log;
  dispatchIntervalMs?: number;
  pollingIntervalSeconds?: number;
}): Promise<AccountRequestWorker> {
  const { db, boss, baseUrl } = options;
  const log = options.log ?? silentLog;
  // A failure is a fault of ours or the database's, not a person's: a few retries, then it waits in the failed jobs.
  const queueOptions = { retryLimit: 5, retryDelay: 10, retryBackoff: true, expireInSeconds: 120 };
  await boss.createQueue(ACCOUNT_REQUESTS_QUEUE, queueOptions);
  await boss.updateQueue(ACCOUNT_REQUESTS_QUEUE, queueOptions);
  await boss.work<RequestJob>(ACCOUNT_REQUESTS_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 }, async ([job]) => {
    // pg-boss hands over one job at a time here (batchSize 1), so there always is one.
    if (!job) return { outcome: 'no_job' };
    const outcome = await runAccountRequest(db, baseUrl, job.data.requestId);
    // The outcome tells whether the address has an account: logged by request id only, never with the address.
    log.info({ job: ACCOUNT_REQUESTS_QUEUE, requestId: job.data.requestId, outcome }, 'account request handled');
    return { outcome };
  });

  const dispatcher = startDispatcher(() => dispatchAccountRequests(db, boss), {
    intervalMs: options.dispatchIntervalMs ?? 1_000,
    log,
    what: 'account requests',
  });

  return {
    dispatchNow: dispatcher.dispatchNow,
    stop: async () => {
      await dispatcher.stop();
      await boss.offWork(ACCOUNT_REQUESTS_QUEUE, { wait: true });
    },
  };
}
