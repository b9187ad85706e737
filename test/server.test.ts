import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import t from 'tap';
import { openDatabase, pgliteFolder } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { queueMessage } from '../src/messages/outbox.ts';
import { waitFor } from './fixtures/delivery.ts';
import { type Answer, deferred, outcome, send, slowPost } from './http-client.ts';

// The real server (`node src/server.ts`) as a child process, stopped with SIGTERM under steady
// traffic. It runs on the embedded database in a folder of its own on both test runs: pg-boss
// keeps its jobs in a schema shared by every server on a PostgreSQL database, and the test
// servers of parallel runs must not take each other's jobs.

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'tasters-server-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

const MESSAGES = 5;
const DRAIN_SECONDS = 3;
const LIMIT_MS = 10_000;
// The machine may be busy: start-up on the embedded database has been seen to take 45 s.
const START_TIMEOUT_MS = 180_000;

/** The first message is held by the mail server until the test lets it go; the rest are accepted. */
async function startHoldingSmtp() {
  const started: string[] = [];
  const accepted: string[] = [];
  let holding = false;
  const release = deferred<void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(address, _session, callback) {
      // A message begins here: counting these counts the messages the worker picked up.
      started.push(address.address);
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
        const accept = () => {
          accepted.push(messageId);
          callback();
        };
        if (holding) return accept();
        holding = true;
        void release.promise.then(accept);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, started, accepted, holding: () => holding, release: () => release.resolve() };
}

type LogLine = { msg?: string; req?: { method?: string; url?: string } };

/** The server's log, line by line as it arrives, and a way to wait for a line in order. */
function readLog(child: ChildProcessWithoutNullStreams) {
  const lines: LogLine[] = [];
  const waiting: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      for (const waiter of [...waiting]) {
        if (waiter.match(line)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  return {
    lines,
    next(match: (line: LogLine) => boolean, what: string, timeoutMs = 30_000): Promise<LogLine> {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for the log line: ${what}`)), timeoutMs);
        waiting.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

t.test('SIGTERM under load: no new jobs, 503 with Retry-After while draining, requests in flight finish, exit 0 within 10 s', async (t) => {
  // The database is made here, with messages waiting in the outbox, so the server starts quickly.
  const prepared = await openDatabase({ pgliteDataDir: pgliteFolder(dataDir) });
  await migrateToLatest(prepared.db);
  for (let i = 0; i < MESSAGES; i++) {
    await queueMessage(prepared.db, { dedupeKey: `shutdown-test:${i}`, kind: 'test', to: `reader-${i}@nhs.net`, subject: `Message ${i}`, text: 'Hello.\n' });
  }
  await prepared.close();

  const smtp = await startHoldingSmtp();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !['DATABASE_URL', 'NODE_ENV', 'BASE_URL', 'SMTP_URL', 'PORT', 'HOST', 'LOG_LEVEL'].includes(key)),
  );
  // --liftoff-only: without it, once the server has called exit(0), V8 finishes compiling
  // PGlite's WebAssembly in the background before the process ends (seen taking 11 s on this
  // busy machine). With PostgreSQL, production never loads PGlite.
  const child = spawn(process.execPath, ['--liftoff-only', path.join(root, 'src/server.ts')], {
    cwd: root,
    env: {
      ...inherited,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO_DATA: 'false',
      SESSION_SECRET: 'a-session-secret-for-the-server-test-only',
      SMTP_URL: smtp.url,
      // The line as a request arrives is written at debug level; the drain test below waits for it.
      LOG_LEVEL: 'debug',
      SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const log = readLog(child);

  const listening = await log
    .next((l) => /^Server listening at /.test(l.msg ?? ''), 'listening', START_TIMEOUT_MS)
    .catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
  const base = /http:\/\/127\.0\.0\.1:\d+/.exec(listening.msg!)![0];

  // The worker is sending the first message; the mail server holds it.
  await waitFor(async () => smtp.holding(), 'the worker to send the first message', 60_000);

  // Steady traffic on new connections, one request after another, until the listener is gone.
  const fresh: Array<{ status: number | string; retryAfter?: string | undefined }> = [];
  const freshLoop = (async () => {
    for (;;) {
      try {
        const answer = await send(`${base}/sign-in`, { headers: { accept: 'text/html' } });
        fresh.push({ status: answer.status, retryAfter: answer.headers['retry-after'] });
      } catch (error) {
        fresh.push({ status: (error as NodeJS.ErrnoException).code ?? String(error) });
        return;
      }
    }
  })();
  await waitFor(async () => fresh.filter((f) => f.status === 200).length >= 3, 'pages on new connections before the signal', 60_000);

  // A connection kept alive from before the signal.
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => keepAlive.destroy());
  t.equal((await send(`${base}/readyz`, { agent: keepAlive })).status, 200, 'ready before the signal');
  t.equal((await send(`${base}/sign-in`, { agent: keepAlive, headers: { accept: 'text/html' } })).reusedSocket, true, 'the connection is kept alive');

  // A form post in flight at the signal: the server has read its headers and waits for the body.
  const form = await send(`${base}/reset-password`, { headers: { accept: 'text/html' } });
  const cookie = (form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const inFlight = slowPost(`${base}/reset-password`, new URLSearchParams({ email: 'nobody-here@nhs.net', _csrf: token }).toString(), {
    cookie,
    accept: 'text/html',
  });
  // Fastify logs a request as it routes it, in the same turn as its onRequest hooks: once this
  // line is out, the request has been let in.
  await log.next((l) => l.msg === 'incoming request' && l.req?.method === 'POST' && l.req.url === '/reset-password', 'the form post to arrive');

  const signalledAt = Date.now();
  child.kill('SIGTERM');
  await log.next((l) => /^shutting down/.test(l.msg ?? ''), 'the shutdown to begin');

  const kept: Answer | string = await send(`${base}/sign-in`, { agent: keepAlive, headers: { accept: 'text/html' } }).catch(
    (error: NodeJS.ErrnoException) => error.code ?? String(error),
  );
  t.ok(typeof kept !== 'string', `a new request on the kept-alive connection is answered${typeof kept === 'string' ? `, not ${kept}` : ''}`);
  if (typeof kept !== 'string') {
    t.equal(kept.reusedSocket, true, 'over the connection kept alive from before the signal');
    t.equal(kept.status, 503, 'with 503');
    t.equal(kept.headers['retry-after'], '5', 'and Retry-After');
    t.match(kept.body, /Sorry, the service is busy/, 'and the friendly page');
  }
  const ready = await outcome(send(`${base}/readyz`));
  t.equal(ready, 503, 'readiness fails once the signal has come');

  // The message being sent when the signal came may finish.
  smtp.release();

  // New connections are answered 503 until the listener closes; then they are refused.
  await freshLoop;
  const statuses = fresh.map((f) => f.status);
  t.comment(
    `new connections: ${statuses.filter((s) => s === 200).length} × 200, ${statuses.filter((s) => s === 503).length} × 503, then ${String(statuses.at(-1))}`,
  );
  const firstRefusal = statuses.indexOf(503);
  t.ok(firstRefusal > 0, 'new connections were answered 503 during the drain');
  t.same(
    statuses.slice(0, firstRefusal),
    statuses.slice(0, firstRefusal).map(() => 200),
    'and 200 before it',
  );
  t.same(
    statuses.slice(firstRefusal, -1),
    statuses.slice(firstRefusal, -1).map(() => 503),
    'with no page and no refused connection between the first 503 and the listener closing',
  );
  t.ok(
    fresh.filter((f) => f.status === 503).every((f) => f.retryAfter === '5'),
    'every 503 carries Retry-After',
  );
  t.match(statuses.at(-1), /^(ECONNREFUSED|ECONNRESET)$/, 'the listener is closed at the end of the drain');

  // The form post was in flight all along; it finishes now, after the listener has closed.
  const posted = await inFlight.finish();
  t.equal(posted.status, 200, 'the request in flight at the signal completes');
  t.match(posted.body, /Check your email/, 'with its usual page');

  const exit = await exited;
  t.equal(exit.code, 0, `the process exits with 0 ${stderr}`);
  t.ok(exit.at - signalledAt < LIMIT_MS, `within ${LIMIT_MS / 1000} s of the signal (took ${exit.at - signalledAt} ms)`);

  t.equal(smtp.started.length, 1, 'no email was picked up after the signal: only the one being sent went');
  t.equal(smtp.accepted.length, 1, 'and the mail server accepted it');
  const after = await openDatabase({ pgliteDataDir: pgliteFolder(dataDir) });
  t.teardown(() => after.close());
  const rows = await after.db.selectFrom('outboxMessages').select(['id', 'sentAt']).execute();
  t.equal(rows.length, MESSAGES, 'every message is still in the outbox');
  const sent = rows.filter((r) => r.sentAt);
  t.equal(sent.length, 1, 'the message being sent at the signal is recorded as sent');
  t.equal(smtp.accepted[0], `<${sent[0]?.id}@localhost>`, 'the one the mail server received');
  t.equal(rows.filter((r) => !r.sentAt).length, MESSAGES - 1, 'the others wait in the outbox for the next start');
});
