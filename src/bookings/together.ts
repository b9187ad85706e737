import type { Actor } from '../audit/actor.ts';
import type { Db } from '../db/database.ts';
import { publishLockHeld, retrying } from '../db/transaction.ts';
import { type BookPlaceRow, bookPlaceLocked, bookPlacesLocked } from './queries.ts';

/** The most people booked in one statement: a bound on how long one statement holds the lock. */
export const MOST_AT_ONCE = 50;

type Asking = {
  actor: Actor;
  confidenceBefore: number | null;
  resolve: (row: BookPlaceRow) => void;
  reject: (error: unknown) => void;
};
type Options = { baseUrl: string | null; mailFrom: string | null };

/**
 * People booking one session while a booking of it is being made wait here, in the order they
 * asked, and are booked together by the next statement (book_places), under one hold of the
 * session's lock. They would otherwise each wait on that lock inside the database, holding a
 * pooled connection, and PostgreSQL wakes every one of them at each commit: a burst on a popular
 * session then books at a fraction of the rate of one person at a time. The first person to ask
 * goes at once; nobody waits for a batch to fill.
 */
export class BookingsTogether {
  // Sessions with a statement in flight, and who is waiting for the next one.
  private readonly waiting = new Map<string, Asking[]>();

  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  book(sessionId: string, actor: Actor, confidenceBefore: number | null, options: Options): Promise<BookPlaceRow> {
    const key = `${sessionId} ${options.baseUrl ?? ''} ${options.mailFrom ?? ''}`;
    return new Promise((resolve, reject) => {
      const asking = { actor, confidenceBefore, resolve, reject };
      const queue = this.waiting.get(key);
      if (queue) {
        queue.push(asking);
        return;
      }
      this.waiting.set(key, []);
      void this.send(key, sessionId, [asking], options);
    });
  }

  private async send(key: string, sessionId: string, batch: Asking[], options: Options): Promise<void> {
    try {
      const rows = await retrying(() =>
        bookPlacesLocked(this.db, {
          sessionId,
          people: batch.map((asking) => ({ userId: asking.actor.id, confidenceBefore: asking.confidenceBefore, address: asking.actor.address ?? null })),
          ...options,
        }),
      );
      // One hold of the lock for the whole statement: the people's turns one after another.
      const timed = rows.filter((row) => row.lockHeldMs !== null);
      if (timed.length) publishLockHeld(timed.reduce((sum, row) => sum + (row.lockHeldMs ?? 0), 0));
      // bookPlacesLocked answers one row per person, in their order.
      for (const [i, asking] of batch.entries()) asking.resolve(rows[i] as BookPlaceRow);
    } catch (error) {
      // The whole statement failed: nobody was booked. One person's problem (their live booking
      // made meanwhile through another instance, say) must not fail the others, so each is then
      // booked on their own, as if they had come alone.
      if (batch.length === 1) batch[0]?.reject(error);
      else for (const asking of batch) await this.alone(sessionId, asking, options);
    }
    const queue = this.waiting.get(key) ?? [];
    if (queue.length === 0) {
      this.waiting.delete(key);
      return;
    }
    void this.send(key, sessionId, queue.splice(0, MOST_AT_ONCE), options);
  }

  private async alone(sessionId: string, asking: Asking, options: Options): Promise<void> {
    try {
      const row = await retrying(() =>
        bookPlaceLocked(this.db, {
          sessionId,
          userId: asking.actor.id,
          confidenceBefore: asking.confidenceBefore,
          address: asking.actor.address ?? null,
          ...options,
        }),
      );
      if (row.lockHeldMs !== null) publishLockHeld(row.lockHeldMs);
      asking.resolve(row);
    } catch (error) {
      asking.reject(error);
    }
  }
}
