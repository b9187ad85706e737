import type { Db } from '../db/database.ts';
import { hashToken } from '../lib/tokens.ts';
import { deleteLoginSession, findLiveLoginSession, saveLoginSession } from './queries.ts';

type Callback = (error?: unknown) => void;
type SessionData = { userId?: string; [key: string]: unknown };

/**
 * Login sessions live in PostgreSQL so any app instance can serve any request. Ids are stored
 * hashed. Every save (rolling sessions save on each request) pushes the idle expiry on; the
 * absolute expiry is fixed when the session is first written.
 */
export class PostgresSessionStore {
  private readonly db: Db;
  private readonly idleMs: number;
  private readonly absoluteMs: number;

  constructor(db: Db, idleMinutes: number, absoluteHours: number) {
    this.db = db;
    this.idleMs = idleMinutes * 60_000;
    this.absoluteMs = absoluteHours * 3_600_000;
  }

  get(sessionId: string, callback: (error: unknown, session?: never) => void): void {
    findLiveLoginSession(this.db, hashToken(sessionId)).then((row) => callback(null, (row ? row.data : null) as never), callback);
  }

  set(sessionId: string, session: object, callback: Callback): void {
    const now = Date.now();
    const { cookie: _cookie, ...data } = session as SessionData;
    const userId = typeof data.userId === 'string' ? data.userId : null;
    saveLoginSession(this.db, {
      idHash: hashToken(sessionId),
      userId,
      data: JSON.stringify({ ...data, cookie: (session as SessionData).cookie }),
      idleExpiresAt: new Date(now + this.idleMs),
      absoluteExpiresAt: new Date(now + this.absoluteMs),
    }).then(() => callback(), callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    deleteLoginSession(this.db, hashToken(sessionId)).then(() => callback(), callback);
  }
}
