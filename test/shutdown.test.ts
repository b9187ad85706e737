import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { gracefulShutdown, RETRY_AFTER_SECONDS, type ShutdownOptions } from '../src/shutdown.ts';
import { waitFor } from './fixtures/delivery.ts';
import { buildTestApp, createTestDatabase, heading } from './helper.ts';
import { deferred, outcome, send } from './http-client.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const page = { accept: 'text/html' };

/**
 * The real app, listening on a free port, with one route added by this test that stays in flight
 * until the test lets it finish.
 */
async function listeningApp(tt: { teardown: (fn: () => unknown) => void }) {
  const app = await buildTestApp(tt, database);
  const started = deferred();
  const release = deferred();
  app.get('/held-by-the-test', async () => {
    started.resolve();
    await release.promise;
    return { finished: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, base, held: { started: started.promise, release: () => release.resolve() } };
}

/** A shutdown whose steps only record that they ran, in order; the drain ends when the test says. */
function recordedShutdown(app: FastifyInstance, overrides: Partial<ShutdownOptions> = {}) {
  const events: string[] = [];
  const drain = deferred();
  const jobFinished = deferred();
  const exited = deferred<number>();
  let exitCalls = 0;
  const shutdown = gracefulShutdown({
    app,
    drainMs: 60_000,
    drainPeriod: () => drain.promise,
    stopTakingJobs: async () => {
      events.push('stopped taking jobs');
      await jobFinished.promise;
      events.push('job in progress finished');
    },
    stopJobQueue: async () => void events.push('job queue stopped'),
    closeDatabase: async () => void events.push('database closed'),
    exit: (code) => {
      exitCalls++;
      events.push(`exit ${code}`);
      exited.resolve(code);
    },
    log: quiet,
    ...overrides,
  });
  return { shutdown, events, endDrain: () => drain.resolve(), finishJob: () => jobFinished.resolve(), exited: exited.promise, exitCalls: () => exitCalls };
}

t.test('on the signal: jobs stop first, new requests get 503 with Retry-After, requests in flight finish, then the process exits 0', async (t) => {
  const { app, base, held } = await listeningApp(t);
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => keepAlive.destroy());
  const before = await send(`${base}/sign-in`, { agent: keepAlive, headers: page });
  t.equal(before.status, 200, 'a page before the signal');

  const inFlight = send(`${base}/held-by-the-test`);
  await held.started;
  const { shutdown, events, endDrain, finishJob, exited, exitCalls } = recordedShutdown(app);
  const done = shutdown('SIGTERM');
  t.same(events, ['stopped taking jobs'], 'the worker is told to stop before anything else happens');
  t.equal(app.isDraining(), true, 'new requests are refused from now on');
  t.equal(shutdown('SIGINT'), done, 'a second signal joins the shutdown under way');

  const refused = await send(`${base}/sign-in`, { agent: keepAlive, headers: page });
  t.equal(refused.reusedSocket, true, 'asked on the connection kept alive from before the signal');
  t.equal(refused.status, 503, 'a new request on a kept-alive connection gets 503');
  t.equal(refused.headers['retry-after'], String(RETRY_AFTER_SECONDS));
  t.equal(refused.headers.connection, 'close', 'and the connection is closed, so the client opens a new one elsewhere');
  t.equal(heading(refused.body), 'Sorry, the service is busy', 'a person gets the friendly page');
  t.match(refused.body, /Wait a few seconds, then try again/);
  t.match(refused.headers['content-security-policy'], /default-src 'self'/, 'with the usual security headers');

  const ready = await send(`${base}/readyz`);
  t.equal(ready.status, 503, 'readiness fails from the moment of the signal');
  t.equal(ready.headers['retry-after'], String(RETRY_AFTER_SECONDS));
  t.same(JSON.parse(ready.body), { status: 'unavailable', message: 'The service is restarting. Try again in a few seconds.' });
  t.equal((await send(`${base}/healthz`)).status, 200, 'liveness: the process is still up');
  const form = await send(`${base}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40nhs.net' });
  t.equal(form.status, 503, 'a form post on a new connection gets 503 too, and changes nothing');
  t.equal((await send(`${base}/static/app.css`)).status, 503, 'as do static files');

  endDrain();
  await waitFor(async () => !app.server.listening, 'the listener to close');
  t.equal(await outcome(send(`${base}/healthz`)), 'ECONNREFUSED', 'after the drain the listener is closed');
  t.notOk(events.includes('exit 0'), 'the process waits for the request in flight');

  held.release();
  const finished = await inFlight;
  t.equal(finished.status, 200, 'the request in flight at the signal completes');
  t.same(JSON.parse(finished.body), { finished: true }, 'with its own answer');
  t.equal(finished.headers.connection, 'close', 'and its connection closed after it');

  t.notOk(events.includes('job queue stopped'), 'the job queue waits for the job in progress');
  finishJob();
  t.equal(await exited, 0, 'exit code 0');
  await done;
  t.same(events, ['stopped taking jobs', 'job in progress finished', 'job queue stopped', 'database closed', 'exit 0'], 'each step in order');
  t.equal(exitCalls(), 1, 'one exit for two signals');
});

t.test('a request that will not finish is cut off, and the process still exits', async (t) => {
  const { app, base, held } = await listeningApp(t);
  const stuck = outcome(send(`${base}/held-by-the-test`));
  await held.started;
  const { shutdown, events, endDrain, finishJob, exited } = recordedShutdown(app, { cutOffMs: 0 });
  finishJob();
  void shutdown('SIGTERM');
  endDrain();
  t.equal(await exited, 0, 'the shutdown completes');
  t.equal(await stuck, 'ECONNRESET', 'its connection was closed');
  t.same(events.slice(-3), ['job queue stopped', 'database closed', 'exit 0'], 'and the rest of it ran');
  held.release();
});

t.test('past the deadline the process exits with 1, whatever is still running', async (t) => {
  const { app } = await listeningApp(t);
  const { shutdown, endDrain, exited } = recordedShutdown(app, { deadlineMs: 0 });
  void shutdown('SIGTERM');
  t.equal(await exited, 1, 'the job in progress never finished');
  endDrain();
});

t.test('a step that fails is logged, the others still run, and the exit code says so', async (t) => {
  const { app } = await listeningApp(t);
  const logged: string[] = [];
  const { shutdown, events, endDrain, finishJob, exited } = recordedShutdown(app, {
    stopJobQueue: async () => {
      throw new Error('the queue would not stop');
    },
    log: { ...quiet, error: (details: object) => void logged.push((details as { step: string }).step) },
  });
  finishJob();
  void shutdown('SIGTERM');
  endDrain();
  t.equal(await exited, 1, 'exit code 1');
  t.same(logged, ['stop the job queue'], 'the failed step is named in the log');
  t.ok(events.includes('database closed'), 'the database is still closed');
});
