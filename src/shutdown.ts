import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { pathOf } from './web/request.ts';

/**
 * Stopping an instance without losing or refusing anything the load balancer could have sent
 * elsewhere. On the signal the instance stops taking jobs and answers every new request 503 with
 * Retry-After (readiness included), so the load balancer moves traffic to the other instances
 * while the address still answers; after a short drain it closes the listener, lets the requests
 * in flight finish, stops the job queue, closes the database and exits, all within a hard deadline.
 */

/** How long a refused client is asked to wait: by then another instance, or this one restarted, answers. */
export const RETRY_AFTER_SECONDS = 5;

// Liveness says the process runs, which stays true while it drains; an orchestrator that saw it
// fail might kill the process before the requests in flight have finished.
const answeredWhileDraining = new Set(['/healthz']);

/**
 * Answers new requests 503 once `startDraining` is called. Registered at the root after the
 * security headers, so the refusal carries them, and before any route, so it covers them all.
 */
export const drainGate = fp(async (app: FastifyInstance) => {
  let draining = false;
  app.decorate('startDraining', () => {
    draining = true;
  });
  app.decorate('isDraining', () => draining);
  // However the app is closed, requests still reaching it are refused the same way.
  app.addHook('preClose', async () => {
    draining = true;
  });

  // Callback hooks, not async ones: every request passes through both, and while the instance
  // is not draining they should cost no more than the check.
  app.addHook('onRequest', (request, reply, done) => {
    if (!draining || answeredWhileDraining.has(pathWithoutTrailingSlash(request))) return done();
    void refuse(request, reply);
  });

  // Responses to requests that arrived before the signal close their connection too, so the
  // listener's close is not held up by idle kept-alive connections.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
});

async function refuse(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  // A kept-alive connection would bring the client's next request back here; closed, the client
  // opens a new one, which the load balancer sends to another instance.
  reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).header('connection', 'close');
  if (!wantsPage(request)) {
    reply.send({ status: 'unavailable', message: 'The service is restarting. Try again in a few seconds.' });
    return;
  }
  try {
    const html = await reply.viewAsync('errors/busy.eta', { title: 'Sorry, the service is busy', user: null, requestId: request.id, csrfToken: '' });
    reply.send(html);
  } catch (error) {
    request.log.error({ err: error }, 'busy page failed to render');
    reply.type('text/plain').send('Sorry, the service is busy. Nothing has been changed. Wait a few seconds, then try again.');
  }
}

function pathWithoutTrailingSlash(request: FastifyRequest): string {
  const path = pathOf(request.url);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function wantsPage(request: FastifyRequest): boolean {
  return String(request.headers.accept ?? '').includes('text/html');
}

export type ShutdownLog = {
  info: (details: object, message: string) => void;
  warn: (details: object, message: string) => void;
  error: (details: object, message: string) => void;
};

export type ShutdownOptions = {
  /** The listening app, built with drainGate. */
  app: FastifyInstance;
  /** Stops fetching jobs; resolves once a job already running has finished. */
  stopTakingJobs: () => Promise<void>;
  /** Stops the job queue itself (after its workers). */
  stopJobQueue: () => Promise<void>;
  closeDatabase: () => Promise<void>;
  exit: (code: number) => void;
  log: ShutdownLog;
  /** How long new requests are answered 503 before the listener closes. */
  drainMs: number;
  /** From the signal: requests still running then are cut off, so the rest can finish in time. */
  cutOffMs?: number;
  /** From the signal: the process exits with 1, whatever is still running. */
  deadlineMs?: number;
  /** The drain period itself; tests pass one they end. By default it lasts drainMs. */
  drainPeriod?: () => Promise<void>;
};

// Platforms allow about 10 seconds between SIGTERM and SIGKILL.
export const DEFAULT_CUT_OFF_MS = 7_000;
export const DEFAULT_DEADLINE_MS = 9_000;

/**
 * Builds the signal handler. Calling it again while it runs changes nothing: a second Ctrl-C
 * does not start a second shutdown.
 */
export function gracefulShutdown(options: ShutdownOptions): (signal: string) => Promise<void> {
  const { app, log } = options;
  const cutOffMs = options.cutOffMs ?? DEFAULT_CUT_OFF_MS;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  let running: Promise<void> | null = null;

  async function run(signal: string): Promise<void> {
    const started = Date.now();
    const deadline = setTimeout(() => {
      log.error({ signal, afterMs: Date.now() - started }, 'shutdown took too long: exiting with work unfinished');
      options.exit(1);
    }, deadlineMs);
    deadline.unref();
    let failed = false;
    const attempt = async (step: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        failed = true;
        log.error({ err: error, step }, 'shutdown step failed');
      }
    };

    app.startDraining();
    log.info({ signal, drainMs: options.drainMs }, 'shutting down: no new jobs; new requests are answered 503 until the listener closes');
    // First, so no email is picked up once the signal has come; one being sent may finish.
    const jobsStopped = attempt('stop taking jobs', options.stopTakingJobs);

    await (options.drainPeriod ?? (() => delay(options.drainMs)))();
    log.info({}, 'closing the listener; finishing the requests in flight');
    const cutOff = setTimeout(
      () => {
        log.warn({}, 'requests still running at the cut-off: closing their connections');
        app.server.closeAllConnections();
      },
      Math.max(0, cutOffMs - (Date.now() - started)),
    );
    cutOff.unref();
    await attempt('close the listener', () => app.close());
    clearTimeout(cutOff);
    await jobsStopped;
    await attempt('stop the job queue', options.stopJobQueue);
    await attempt('close the database', options.closeDatabase);
    clearTimeout(deadline);
    log.info({ signal, afterMs: Date.now() - started }, 'shut down');
    options.exit(failed ? 1 : 0);
  }

  return (signal) => {
    running ??= run(signal);
    return running;
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
