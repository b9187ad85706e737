import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { openDatabase, pgliteFolder } from '../../src/db/database.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'tasters-seed-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

function seedDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !['DATABASE_URL', 'DATABASE_DIRECT_URL', 'NODE_ENV', 'SESSION_SECRET', 'BASE_URL'].includes(key)),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'src/cli/seed-demo.ts')], { cwd: root, env: { ...base, DATA_DIR: dataDir, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test('refused in production', async (t) => {
  const outcome = await seedDemo({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), BASE_URL: 'https://tasters.example' });
  t.equal(outcome.code, 1);
  t.match(outcome.stderr, /never added when NODE_ENV=production/);
});

t.test('fills an empty database once, then refuses', async (t) => {
  const first = await seedDemo({ NODE_ENV: 'development' });
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /helen\.coordinator@nhs\.net/);
  const second = await seedDemo({ NODE_ENV: 'development' });
  t.equal(second.code, 1);
  t.match(second.stderr, /already has accounts/);
  const { db, close } = await openDatabase({ pgliteDataDir: pgliteFolder(dataDir) });
  const published = await db
    .selectFrom('tasterSessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  await close();
  t.ok(Number(published.n) > 10, 'the demo area has published taster sessions');
});
