import { fromPglite, PgBoss } from 'pg-boss';
import type { DatabaseHandle } from '../db/database.ts';

export type Log = {
  info: (details: object, message: string) => void;
  warn: (details: object, message: string) => void;
  error: (details: object, message: string) => void;
};

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * The job queue (pg-boss) on the app's own database. On PostgreSQL it opens a small pool of its
 * own, in its own schema; on the embedded database it shares PGlite's single connection, whose
 * transactions are exclusive, so a job query never lands inside an app transaction.
 */
export function createBoss(
  handle: DatabaseHandle,
  options: { databaseUrl?: string | undefined; schema?: string; poolSize?: number; schedule?: boolean; log?: Log } = {},
): PgBoss {
  const common = {
    schema: options.schema ?? 'pgboss',
    schedule: options.schedule ?? true,
    // One instance among many does the upkeep at a time; pg-boss takes turns by itself.
    supervise: true,
    openTelemetry: { enabled: false },
  };
  let boss: PgBoss;
  if (handle.kind === 'pglite') {
    if (!handle.pglite) throw new Error('The embedded database handle has no PGlite instance');
    boss = new PgBoss({ ...common, db: fromPglite(handle.pglite), backend: 'pglite' });
  } else {
    if (!options.databaseUrl) throw new Error('The job queue needs the PostgreSQL connection string');
    boss = new PgBoss({ ...common, connectionString: options.databaseUrl, max: options.poolSize ?? 4, application_name: 'tasters-jobs' });
  }
  const log = options.log ?? silentLog;
  // Without a listener an 'error' event would end the process; the queue recovers by itself.
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  return boss;
}

export type Dispatcher = {
  /** Runs a dispatch now rather than at the next tick (one at a time: a call during one joins it). */
  dispatchNow: () => Promise<number>;
  /** No more ticks; waits for a dispatch under way. */
  stop: () => Promise<void>;
};

/**
 * Hands rows waiting in a table (outbox messages, account requests) to their queue on a timer:
 * one dispatch at a time per instance, a failure logged and tried again at the next tick. The
 * dispatch itself makes one job per row with the row's id as the job's, so instances racing
 * each other make one job.
 */
export function startDispatcher(dispatch: () => Promise<number>, options: { intervalMs: number; log: Log; what: string }): Dispatcher {
  let running: Promise<number> | null = null;
  const dispatchNow = () => {
    running ??= dispatch().finally(() => {
      running = null;
    });
    return running;
  };
  const tick = () =>
    void dispatchNow().catch((error: unknown) =>
      options.log.error({ error: error instanceof Error ? error.message : String(error) }, `could not dispatch ${options.what}`),
    );
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    dispatchNow,
    stop: async () => {
      clearInterval(timer);
      await running?.catch(() => 0);
    },
  };
}
