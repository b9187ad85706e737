import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { CurrentUser } from './web/current-user.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    /** From now on new requests are answered 503 (src/shutdown.ts). */
    startDraining: () => void;
    isDraining: () => boolean;
  }
  interface FastifyRequest {
    user: CurrentUser | null;
  }
  interface FastifyReply {
    /** Values every template sees: user, CSRF token, current path. Read by @fastify/view. */
    locals: Record<string, unknown>;
  }
}

declare module '@fastify/session' {
  interface FastifySessionObject {
    userId?: string;
    flash?: string;
    twoStepPending?: string;
    /** Who is signed in with this session, read as it was loaded (accounts/session-store.ts); never stored. */
    signedInUser?: CurrentUser | null;
    /** The session's data as loaded, so that saving it unchanged writes nothing; never stored. */
    loadedAs?: string;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler parses its query or form with parseForm before anything else (plugins/hostile-input.ts). */
    checksFields?: boolean;
  }
}
