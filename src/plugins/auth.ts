import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import session from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/database.ts';
import type { Role } from '../db/tables/accounts.ts';
import { ForbiddenError } from '../lib/errors.ts';
import type { CurrentUser } from '../web/current-user.ts';
import { pathOf } from '../web/request.ts';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What the accounts feature lends the plugin (app.ts passes them in, so this infrastructure does not
 * import a feature): where sessions are kept, who a session's user is, and a last check per page.
 */
export type AuthOptions = {
  sessionStore: session.SessionStore;
  /** The account behind a session, or none when it has been disabled or erased since. */
  findSignedInUser: (db: Db, userId: string) => Promise<CurrentUser | undefined>;
  /** Runs for every page after the session and CSRF checks; true when it has answered the request. */
  gate: (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;
};

/** Login sessions, CSRF protection and the signed-in user, for every route. */
export const auth = fp(async (app: FastifyInstance, options: AuthOptions) => {
  const { findSignedInUser, gate } = options;
  const { config } = app;
  const production = config.env === 'production';
  // The __Host- prefix pins a cookie to this host and path "/" over HTTPS: no subdomain can set it.
  const prefix = production ? '__Host-' : '';

  await app.register(cookie, { secret: config.sessionSecret });
  await app.register(session, {
    secret: config.sessionSecret,
    cookieName: `${prefix}tasters-session`,
    store: options.sessionStore,
    saveUninitialized: false,
    // The idle and absolute ends are kept in the database (accounts/session-store.ts), which pushes
    // the idle end on as each page loads it; the cookie only has to last until the absolute end.
    // So it is not sent again with every page, which would sign it afresh each time.
    rolling: false,
    cookie: {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: production,
      maxAge: config.sessionAbsoluteHours * 3_600_000,
    },
  });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: `${prefix}tasters-csrf`,
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: production, signed: true },
  });

  app.decorateRequest('user', null);

  app.addHook('preHandler', async (request, reply) => {
    const userId = request.session.userId;
    if (userId) {
      // The store read who is signed in along with the session (one statement); a session made in
      // this request has not been loaded, so for it the account is looked up here.
      const loaded = request.session.signedInUser;
      request.user = loaded !== undefined ? loaded : ((await findSignedInUser(app.db, userId)) ?? null);
      // A disabled or erased account: end this session here too, not only in the table.
      if (!request.user) await request.session.destroy();
    }
    // The idle time-out reaches the page's script (static/app.js), which warns before it ends.
    // The privacy notice and accessibility statement state the periods the service really uses.
    reply.locals = {
      ...reply.locals,
      user: request.user,
      path: pathOf(request.url),
      sessionIdleMinutes: config.sessionIdleMinutes,
      sessionAbsoluteHours: config.sessionAbsoluteHours,
      retention: config.retention,
    };
    if (UNSAFE_METHODS.has(request.method)) {
      // Thrown, not rendered here: an async hook that only starts a reply lets the handler run too.
      if (!sameOrigin(request, config.baseUrl)) throw new CrossSiteError();
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
      });
    }
    if (reply.sent) return reply;
    // A coordinator (or any role that must) sets up two-step sign-in before anything else.
    if (await gate(app, request, reply)) return reply;
    reply.locals.csrfToken = reply.generateCsrf();
  });
});

// A browser says where a form came from; a different origin is a cross-site request.
function sameOrigin(request: FastifyRequest, baseUrl: string): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return origin === new URL(baseUrl).origin || new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** A state-changing request sent from another website. The error handler answers it with a 403 page. */
export class CrossSiteError extends Error {
  readonly statusCode = 403;
  readonly code = 'cross_site';
  constructor() {
    super('The form came from another website. Go back to the page and try again.');
  }
}

/**
 * Route guard: signed-out people go to sign in and come back; the wrong role gets a 403 page.
 * A callback hook on purpose: the handler runs only if `done()` is called. (An async hook that
 * starts a reply and resolves lets the handler run as well, while the reply is still being sent.)
 */
export function requireRole(...allowed: Role[]) {
  return function guard(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    if (!request.user) {
      const back = request.method === 'GET' ? request.url : '/';
      void reply.redirect(`/sign-in?returnTo=${encodeURIComponent(back)}`);
      return;
    }
    if (allowed.length > 0 && !allowed.includes(request.user.role)) {
      done(new ForbiddenError('Your account does not have permission to see this page.'));
      return;
    }
    done();
  };
}

export const requireSignIn = requireRole();
