import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/database.ts';
import { type Log, silentLog, startDispatcher } from '../messages/boss.ts';
import type { Mailer } from '../messages/mailer.ts';
import { findMessage } from '../messages/queries.ts';
import { listUndispatchedMessages, markDispatched, markSent, recordFailedAttempt } from './queries.ts';
import { renderMessage } from './render.ts';

export const DELIVER_QUEUE = 'messages-deliver';

export type RetryPolicy = {
  /** How many times a message is tried again after the first attempt fails. */
  limit: number;
  /** The first wait; each later one about doubles (pg-boss adds jitter), up to maxDelaySeconds. */
  delaySeconds: number;
  maxDelaySeconds: number;
};

// 30 s, 1 min, 2, 4, 8, 16, 32 min, then hourly: a mail outage of a day loses nothing.
export const DEFAULT_RETRY: RetryPolicy = { limit: 40, delaySeconds: 30, maxDelaySeconds: 3600 };

type DeliverJob = { messageId: string };

/**
 * Gives each new outbox message a delivery job. The job's id is the message's id, and pg-boss
 * ignores a second job with the same id, so two instances dispatching the same rows at once, or a
 * crash between creating the jobs and marking the rows, never makes two jobs for one message.
 */
export async function dispatchMessages(db: Db, boss: PgBoss, limit = 200): Promise<number> {
  const rows = await listUndispatchedMessages(db, limit);
  if (rows.length === 0) return 0;
  const ids = rows.map((row) => row.id);
  await boss.insert(
    DELIVER_QUEUE,
    ids.map((id) => ({ id, data: { messageId: id } satisfies DeliverJob })),
  );
  // A message handed back after its job gave up (src/messages/undelivered.ts) still has that
  // failed job, so the insert above skipped it: give the job one more attempt. New jobs are not
  // in the failed state, so this leaves them alone.
  await boss.retry(DELIVER_QUEUE, ids);
  await markDispatched(db, ids);
  return rows.length;
}

export type DeliveryOutcome = 'sent' | 'already_sent' | 'missing';

/**
 * Delivers one outbox message, first writing it from its facts if it was queued as facts (under a
 * session's lock; src/messages/render.ts) and nobody has written it yet. The text is stored before
 * it is sent, so every attempt sends the same words. `sent_at` is written only after the mail
 * server accepted it: a crash in between means the job runs again and the message goes twice, with
 * the same Message-ID, never that it is lost. A refusal, or facts that cannot be written, is
 * recorded and thrown, so the job is retried.
 */
export async function deliverMessage(db: Db, mailer: Mailer, messageId: string): Promise<DeliveryOutcome> {
  const message = await findMessage(db, messageId);
  if (!message) return 'missing';
  if (message.sentAt) return 'already_sent';
  try {
    await mailer.send(await renderMessage(db, message));
  } catch (error) {
    await recordFailedAttempt(db, messageId, describe(error));
    throw error;
  }
  await markSent(db, messageId, mailer.via);
  return 'sent';
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 500);
}

export type MessageWorker = {
  /** Gives delivery jobs to any new messages now, rather than at the next tick. */
  dispatchNow: () => Promise<number>;
  /** Stops taking messages at once; resolves when the one being sent, if any, has gone. */
  stop: () => Promise<void>;
};

export type MessageWorkerOptions = {
  db: Db;
  /** A started pg-boss. The worker adds its queue and handler; the caller stops pg-boss. */
  boss: PgBoss;
  mailer: Mailer;
  log?: Log;
  retry?: RetryPolicy;
  /** How often new outbox messages are looked for. */
  dispatchIntervalMs?: number;
  /** How often pg-boss looks for delivery jobs. At least 0.5. */
  pollingIntervalSeconds?: number;
  /**
   * Jobs fetched at once. One by default: a stopping instance finishes what it has fetched, so
   * with one it finishes the message it is sending and no other waits on it. The fetch per
   * message costs little beside the send.
   */
  batchSize?: number;
};

/**
 * Delivers the outbox. Any number of instances may run one: each delivery job is fetched by one
 * worker at a time (pg-boss's FOR UPDATE SKIP LOCKED), retried with exponential backoff when the
 * mail server refuses, and retried after its expiry if the worker holding it died.
 */
export async function startMessageWorker(options: MessageWorkerOptions): Promise<MessageWorker> {
  const { db, boss, mailer } = options;
  const log = options.log ?? silentLog;
  const retry = options.retry ?? DEFAULT_RETRY;
  const queueOptions = {
    retryLimit: retry.limit,
    retryDelay: retry.delaySeconds,
    retryBackoff: true,
    retryDelayMax: retry.maxDelaySeconds,
    // A send is bounded by the mailer's own timeouts; past this the worker is presumed dead.
    expireInSeconds: 300,
  };
  await boss.createQueue(DELIVER_QUEUE, queueOptions);
  await boss.updateQueue(DELIVER_QUEUE, queueOptions);

  await boss.work<DeliverJob>(
    DELIVER_QUEUE,
    { batchSize: options.batchSize ?? 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, perJobResults: true, burstWhenBatchFull: true },
    async (jobs) => {
      const results = [];
      for (const job of jobs) {
        try {
          const outcome = await deliverMessage(db, mailer, job.data.messageId);
          if (outcome === 'sent') log.info({ messageId: job.data.messageId, via: mailer.via }, 'message delivered');
          results.push({ id: job.id, status: 'completed' as const, output: { outcome } });
        } catch (error) {
          log.warn({ messageId: job.data.messageId, error: describe(error) }, 'message not delivered; it will be tried again');
          results.push({ id: job.id, status: 'failed' as const, output: { error: describe(error) } });
        }
      }
      return results;
    },
  );

  const dispatcher = startDispatcher(() => dispatchMessages(db, boss), { intervalMs: options.dispatchIntervalMs ?? 2_000, log, what: 'messages' });

  return {
    dispatchNow: dispatcher.dispatchNow,
    stop: async () => {
      // offWork stops fetching at once; its promise waits for the message being sent.
      await Promise.all([boss.offWork(DELIVER_QUEUE, { wait: true }), dispatcher.stop()]);
      mailer.close();
    },
  };
}
