import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { type Db, openDatabase, pgliteFolder } from '../../src/db/database.ts';
import { createTestDatabase, testDatabaseKind, Visitor, validateEveryHtmlResponse } from '../helper.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'tasters-cli-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

// On PostgreSQL the command works on this file's own test schema, named in the connection string.
const database = testDatabaseKind === 'postgres' ? await createTestDatabase({ poolSize: 2 }) : undefined;
t.teardown(() => database?.close());
let databaseUrl: string | undefined;
if (database) {
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]!.schema;
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  databaseUrl = url.toString();
}

type Outcome = { code: number | null; stdout: string; stderr: string };

/** Runs the operator command as an operator would, with Node and only the environment given. */
function createCoordinator(args: string[], env: Record<string, string>, stdin?: string): Promise<Outcome> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !['DATABASE_URL', 'DATABASE_DIRECT_URL', 'DATA_DIR', 'TASTERS_PASSWORD', 'NODE_ENV', 'SESSION_SECRET'].includes(key),
    ),
  ) as Record<string, string>;
  const where = databaseUrl ? { DATABASE_URL: databaseUrl, DATA_DIR: dataDir } : { DATA_DIR: dataDir };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'src/cli/create-coordinator.ts'), ...args], {
      cwd: root,
      env: { ...base, NODE_ENV: 'test', ...where, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** Opens the database the command wrote to (the embedded one only once the command has exited). */
async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  if (database) return fn(database.db);
  const handle = await openDatabase({ pgliteDataDir: pgliteFolder(dataDir) });
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

const PASSWORD = 'operator chose this passphrase';

t.test('creates the first coordinator, who can then sign in', async (t) => {
  const outcome = await createCoordinator(['--email', 'Helen.Okafor@nhs.net', '--name', 'Helen Okafor'], { TASTERS_PASSWORD: PASSWORD });
  t.equal(outcome.code, 0, outcome.stderr);
  t.match(outcome.stdout, /Created coordinator helen\.okafor@nhs\.net/);
  t.notOk((outcome.stdout + outcome.stderr).includes(PASSWORD), 'the password is never printed');

  await withDatabase(async (db) => {
    const user = await db.selectFrom('users').selectAll().where('email', '=', 'helen.okafor@nhs.net').executeTakeFirstOrThrow();
    t.equal(user.role, 'coordinator');
    t.equal(user.status, 'active');
    t.equal(user.name, 'Helen Okafor');
    const audit = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', user.id).execute();
    t.same(
      audit.map((a) => a.action),
      ['coordinator_created_by_operator'],
    );

    const app = await buildApp({ config: testConfig(), db });
    validateEveryHtmlResponse(t, app);
    t.teardown(() => app.close());
    const visitor = new Visitor(app);
    await visitor.signIn('helen.okafor@nhs.net', PASSWORD);
    t.equal((await visitor.get('/people')).statusCode, 200, 'and use the coordinator pages');
    await app.close();
  });
});

t.test('a second run for the same email fails with a clear message and changes nothing', async (t) => {
  const outcome = await createCoordinator(['--email', 'helen.okafor@nhs.net', '--name', 'Someone Else'], { TASTERS_PASSWORD: 'a different passphrase here' });
  t.equal(outcome.code, 1);
  t.match(outcome.stderr, /There is already an account for helen\.okafor@nhs\.net\./);
  t.notMatch(outcome.stderr, /\bat .*\.ts:\d+/, 'no stack trace');
  await withDatabase(async (db) => {
    const users = await db.selectFrom('users').select(['name']).where('email', '=', 'helen.okafor@nhs.net').execute();
    t.same(users, [{ name: 'Helen Okafor' }], 'the first account is untouched');
  });
});

t.test('the password can come from standard input instead', async (t) => {
  const outcome = await createCoordinator(['--email', 'second.coordinator@nhs.net', '--name', 'Sam Second'], {}, `${PASSWORD}\n`);
  t.equal(outcome.code, 0, outcome.stderr);
  await withDatabase(async (db) => {
    const app = await buildApp({ config: testConfig(), db });
    validateEveryHtmlResponse(t, app);
    t.teardown(() => app.close());
    await new Visitor(app).signIn('second.coordinator@nhs.net', PASSWORD);
    await app.close();
  });
});

t.test('bad input is explained, with the usage, before anything is written', async (t) => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--name', 'No Email'], { TASTERS_PASSWORD: PASSWORD }, /Give --email/],
    [['--email', 'not-an-email', '--name', 'Bad Email'], { TASTERS_PASSWORD: PASSWORD }, /correct format/],
    [['--email', 'no.name@nhs.net'], { TASTERS_PASSWORD: PASSWORD }, /Give --name/],
    [['--email', 'short@nhs.net', '--name', 'Short Password'], { TASTERS_PASSWORD: 'eleven char' }, /12 characters or more/],
    [['--email', 'common@nhs.net', '--name', 'Common Password'], { TASTERS_PASSWORD: 'password1234' }, /too common/],
  ];
  for (const [args, env, message] of cases) {
    const outcome = await createCoordinator(args, env);
    t.equal(outcome.code, 2, args.join(' '));
    t.match(outcome.stderr, message);
    t.match(outcome.stderr, /Usage: npm run create-coordinator/);
  }
  const unknownOption = await createCoordinator(['--email', 'x@nhs.net', '--name', 'X', '--role', 'admin'], { TASTERS_PASSWORD: PASSWORD });
  t.not(unknownOption.code, 0, 'an unknown option is refused');
  t.notMatch(unknownOption.stderr, /\bat .*\.(ts|js):\d+/, 'without a stack trace');
  await withDatabase(async (db) => {
    const emails = await db
      .selectFrom('users')
      .select('email')
      .where('email', 'in', ['short@nhs.net', 'common@nhs.net', 'no.name@nhs.net', 'x@nhs.net'])
      .execute();
    t.same(emails, [], 'nobody was created');
  });
});

t.test('a bad configuration stops the command with one line naming the variable', async (t) => {
  const outcome = await createCoordinator(['--email', 'cfg@nhs.net', '--name', 'Config'], { TASTERS_PASSWORD: PASSWORD, DATABASE_URL: 'mysql://x' });
  t.equal(outcome.code, 1);
  t.equal(outcome.stderr.trim(), 'Configuration error: DATABASE_URL must be a postgres:// connection string');
});
