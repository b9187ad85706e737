import type { Db } from '../db/database.ts';
import { hashToken } from '../lib/tokens.ts';
import type { CurrentUser } from '../web/current-user.ts';
import { deleteLoginSession, saveLoginSession, touchLoginSession } from './queries.ts';

type Callback = (error?: unknown) => void;
type SessionData = { userId?: string; [key: string]: unknown };

/**
 * Set on a session as it is loaded: the person signed in with it, read in the same statement
 * (plugins/auth.ts uses it instead of asking again), and the data as loaded, so that saving it
 * unchanged costs nothing. Neither is ever stored.
 */
export const SIGNED_IN_USER = 'signedInUser';
const LOADED_AS = 'loadedAs';

/**
 * Login sessions live in PostgreSQL so any app instance can serve any request. Ids are stored
 * hashed. Loading a session pushes its idle expiry on, in the statement that reads it and the
 * person signed in (one statement per page); a save writes only what changed. The absolute
 * expiry is fixed when the session is first written.
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
    const now = Date.now();
    touchLoginSession(this.db, hashToken(sessionId), new Date(now), new Date(now + this.idleMs)).then((row) => {
      if (!row) return callback(null, null as never);
      const { cookie: _cookie, ...data } = row.data;
      const loaded: SessionData = { ...row.data, [SIGNED_IN_USER]: row.user satisfies CurrentUser | null, [LOADED_AS]: JSON.stringify(data) };
      callback(null, loaded as never);
    }, callback);
  }

  set(sessionId: string, session: object, callback: Callback): void {
    const now = Date.now();
    const { cookie: _cookie, [SIGNED_IN_USER]: _user, [LOADED_AS]: loadedAs, ...data } = session as SessionData;
    // Saved as it was loaded: loading it already pushed the idle expiry on, so there is nothing to write.
    if (loadedAs !== undefined && loadedAs === JSON.stringify(data)) {
      callback();
      return;
    }
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
