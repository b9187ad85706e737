import { channel } from 'node:diagnostics_channel';
import type { Db, Tx } from './database.ts';

// Lock timeouts, serialization failures and deadlocks: nothing was written, so trying again is safe.
const RETRYABLE_CODES = new Set(['55P03', '40001', '40P01']);

/**
 * The database is busy or briefly unreachable: the person is asked to try again in a moment (the
 * 503 page), never shown a broken one. The retryable codes, plus a cancelled statement, too many
 * connections and a server shutting down or starting.
 */
export const BUSY_CODES: ReadonlySet<string> = new Set([...RETRYABLE_CODES, '57014', '53300', 'ECONNREFUSED', '57P01', '57P03']);

const ATTEMPTS = 3;

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/**
 * Runs one transaction, again if the database asks for a retry; gives up after a few tries (the
 * 503 page). Every route whose work takes a lock (a taster session's, for capacity) goes through
 * here, so a lock timeout or deadlock is retried the same way everywhere.
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return retrying(async () => {
    let current: Tx | undefined;
    const result = await db.transaction().execute((tx) => {
      current = tx;
      return work(tx);
    });
    const grantedAt = current && lockGrantedAt.get(current);
    if (grantedAt !== undefined) publishLockHeld(performance.now() - grantedAt);
    return result;
  });
}

/** Runs work that is one transaction (or one statement), again if the database asks for a retry. */
export async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= ATTEMPTS || !RETRYABLE_CODES.has(errorCode(error) ?? '')) throw error;
      // A little jitter, so retries from many requests do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 40));
    }
  }
}

/**
 * How long a taster session's lock was held, from the moment the lock was granted to the commit,
 * as { heldMs }, published after each commit of a transaction that took one. The benchmark
 * (bench/server.ts) listens to report the lock hold time; with no listener nothing is timed.
 */
export const sessionLockHeld = channel('tasters:session-lock-held');
const lockGrantedAt = new WeakMap<Tx, number>();

/** Called by the capacity rule as soon as the session's lock is granted. */
export function noteLockGranted(tx: Tx): void {
  if (sessionLockHeld.hasSubscribers && !lockGrantedAt.has(tx)) lockGrantedAt.set(tx, performance.now());
}

/** Tells the listener how long a session's lock was held (the booking call measures it in the database). */
export function publishLockHeld(heldMs: number): void {
  if (sessionLockHeld.hasSubscribers) sessionLockHeld.publish({ heldMs });
}
