import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { buildServer, bundle } from '../scripts/build.ts';
import { openDatabase, pgliteFolder } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { queueMessage } from '../src/messages/outbox.ts';
import { startSmtp, waitFor } from './fixtures/delivery.ts';
import { send } from './http-client.ts';

// `npm start` runs the one-file bundle of scripts/build.ts, not src/. Bundling can break what works
// from source (a file read from beside a module, a package that requires at run time, a native
// addon), so the built server is started here and used as a person and the mail relay would.

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const START_TIMEOUT_MS = 180_000;

t.test('the built server starts, serves pages, checks passwords, sends email and stops on SIGTERM', async (t) => {
  const outDir = path.join(root, 'dist', `test-${process.pid}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tasters-build-'));
  t.teardown(() => {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
  await buildServer(path.join(outDir, 'server.js'));

  const prepared = await openDatabase({ pgliteDataDir: pgliteFolder(dataDir) });
  await migrateToLatest(prepared.db);
  await queueMessage(prepared.db, { dedupeKey: 'build-test', kind: 'test', to: 'reader@nhs.net', subject: 'From the bundle', text: 'Hello.\n' });
  await prepared.close();

  const smtp = await startSmtp(t);
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !['DATABASE_URL', 'NODE_ENV', 'BASE_URL', 'SMTP_URL', 'PORT', 'HOST', 'LOG_LEVEL'].includes(key)),
  );
  const child = spawn(process.execPath, ['--liftoff-only', path.join(outDir, 'server.js')], {
    cwd: root,
    env: {
      ...inherited,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO_DATA: 'false',
      SESSION_SECRET: 'a-session-secret-for-the-build-test-only',
      SMTP_URL: smtp.url,
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_SECONDS: '0',
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const base = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the built server stopped:\n${output}`);
      return /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    },
    'the built server to listen',
    START_TIMEOUT_MS,
  );

  const signIn = await send(`${base}/sign-in`, { headers: { accept: 'text/html' } });
  t.equal(signIn.status, 200, 'the sign-in page, from views/ beside the bundle');
  t.match(signIn.body, /<h1[^>]*>Sign in/, 'with its heading');
  const css = await send(`${base}/static/app.css`);
  t.equal(css.status, 200, 'our stylesheet, from static/');
  const api = await send(`${base}/openreferral/openapi.json`);
  t.equal(api.status, 200, 'the open-data API description, carried inside the bundle');
  t.match(JSON.parse(api.body), { openapi: String, paths: { '/services': Object } }, 'as JSON');

  // Registering with a common password: the form is parsed, the list read on first use.
  const form = await send(`${base}/register`, { headers: { accept: 'text/html' } });
  const cookie = (form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const refused = await send(`${base}/register`, {
    method: 'POST',
    headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _csrf: token,
      name: 'Pat Bundle',
      email: 'pat.bundle@nhs.net',
      practice: 'Riverside Surgery',
      pcn: 'Riverside PCN',
      password: 'password1234',
      confirmPassword: 'password1234',
    }).toString(),
  });
  t.equal(refused.status, 400, 'a common password is refused');
  t.match(refused.body, /This password is too common/, 'with the message beside the field');

  // A wrong password for an unknown address: argon2, the native addon left outside the bundle.
  const signInForm = await send(`${base}/sign-in`, { headers: { accept: 'text/html', cookie } });
  const signInToken = /name="_csrf" value="([^"]+)"/.exec(signInForm.body)?.[1] ?? '';
  const wrong = await send(`${base}/sign-in`, {
    method: 'POST',
    headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: signInToken, email: 'nobody@nhs.net', password: 'not the password at all' }).toString(),
  });
  t.equal(wrong.status, 400, 'a sign-in with an unknown address is refused');
  t.match(wrong.body, /Enter a correct email address and password/, 'with the usual message');

  const mail = await waitFor(async () => smtp.accepted[0], 'the worker to send the queued message', 60_000);
  t.match(mail.raw, /Subject: From the bundle/, 'the job queue and the mailer work from the bundle: the queued email went');

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM stops it cleanly');
  t.notMatch(output, /"level":50|Error:/, 'and nothing was logged as an error');
});

t.test('the bundle is plain ASCII, so Node keeps its source one byte a character', async (t) => {
  const outDir = path.join(root, 'dist', `test-ascii-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  t.teardown(() => rmSync(outDir, { recursive: true, force: true }));
  await buildServer(path.join(outDir, 'server.js'));
  t.equal(
    readFileSync(path.join(outDir, 'server.js')).findIndex((byte) => byte > 0x7f),
    -1,
    'the server bundle',
  );

  // A curly quote in a regular expression, which esbuild leaves as written, is refused with where it is.
  const entry = path.join(outDir, 'quote.ts');
  writeFileSync(entry, "export const apostrophes = /[\u2019']/u;\nconsole.log(apostrophes.test(process.argv[2] ?? ''));\n");
  await t.rejects(bundle(entry, path.join(outDir, 'quote.js')), /quote\.js has a character beyond ASCII \("\u2019"/, 'a bundle that is not is refused');
});

t.test('the bank holidays, left outside the bundle, load on first use', async (t) => {
  const outDir = path.join(root, 'dist', `test-holidays-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  t.teardown(() => rmSync(outDir, { recursive: true, force: true }));
  const entry = path.join(outDir, 'holidays.ts');
  writeFileSync(
    entry,
    `import { bankHolidays } from '../../src/publishing/sessions/bank-holidays.ts';\n` +
      `console.log(JSON.stringify([...(await bankHolidays('scotland', [2027])).keys()]));\n`,
  );
  await bundle(entry, path.join(outDir, 'holidays.js'));
  t.notMatch(readFileSync(path.join(outDir, 'holidays.js'), 'utf8'), /moment-timezone|astronomia/, 'the package is not inside');
  const child = spawn(process.execPath, [path.join(outDir, 'holidays.js')], { cwd: root });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 0, `it runs${code ? `: ${output}` : ''}`);
  t.same(
    JSON.parse(output),
    ['2027-01-01', '2027-01-04', '2027-03-26', '2027-05-03', '2027-05-31', '2027-08-02', '2027-11-30', '2027-12-27', '2027-12-28'],
    "Scotland's 2027 bank holidays, New Year's substitute and St Andrew's Day among them",
  );
});
