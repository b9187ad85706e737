// `npm test`: the whole suite on every database this machine has, the two-instance test through
// PgBouncer, then the browser tests. Under CI=true nothing may be left out: a missing PostgreSQL,
// PgBouncer or Chromium fails the run.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ci = process.env.CI === 'true';
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const postgresUrl = process.env.TEST_DATABASE_URL;
const pgbouncerUrl = process.env.TEST_PGBOUNCER_URL;
// Left out of tap's own list (package.json): it needs PgBouncer as well as PostgreSQL.
const pgbouncerFiles = ['test/db/pgbouncer.test.ts'];
const browserFiles = existsSync('test/browser')
  ? readdirSync('test/browser')
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => path.join('test/browser', f))
  : [];

type Run = { name: string; args: string[]; env: Record<string, string> };
const runs: Run[] = [];
const notRun: string[] = [];

if (!only || only === 'unit') {
  runs.push({ name: 'embedded database (PGlite)', args: [], env: { TEST_DB: 'pglite' } });
  if (postgresUrl) runs.push({ name: 'PostgreSQL', args: [], env: { TEST_DB: 'postgres' } });
  else notRun.push('the suite on PostgreSQL, and the concurrency tests: set TEST_DATABASE_URL=postgres://user:password@127.0.0.1/tasters_test');
  if (postgresUrl && pgbouncerUrl) runs.push({ name: 'PostgreSQL through PgBouncer', args: pgbouncerFiles, env: { TEST_DB: 'postgres' } });
  else {
    notRun.push(
      'two app instances through PgBouncer (transaction pooling), with migrations on the direct connection: as root, ' +
        '.ci/start-pgbouncer /tmp/tasters-pgbouncer USER PASSWORD DATABASE starts one in front of the local PostgreSQL ' +
        '(installing pgbouncer if missing) and prints its address; set TEST_PGBOUNCER_URL to it, beside TEST_DATABASE_URL ' +
        '(the role needs CREATEDB: the test makes a database of its own)',
    );
  }
}
if (!only || only === 'browser') {
  if (existsSync(chromium) && browserFiles.length) {
    runs.push({
      name: `browser tests (Chromium, ${postgresUrl ? 'PostgreSQL' : 'PGlite'})`,
      args: ['--jobs=1', ...browserFiles],
      env: { TEST_DB: postgresUrl ? 'postgres' : 'pglite', CHROMIUM_PATH: chromium },
    });
  } else if (browserFiles.length) {
    notRun.push(`the browser tests: install Chromium (apt-get install -y chromium) or set CHROMIUM_PATH (looked for ${chromium})`);
  }
}

if (ci && notRun.length) {
  console.error(`CI=true, but this machine cannot run everything:\n- ${notRun.join('\n- ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

let passed = 0;
let failed = 0;
let exitCode = 0;
const failures: string[] = [];
for (const run of runs) {
  console.log(`\n=== ${run.name} ===`);
  const outcome = await runTap(run);
  passed += outcome.passed;
  failed += outcome.failed;
  failures.push(...outcome.failures.map((f) => `${run.name}: ${f}`));
  if (outcome.code !== 0) exitCode = 1;
}

// CI keeps only the end of a long log, so the failures are repeated where they will be read.
if (failures.length) console.log(`\nFailed:\n- ${failures.join('\n- ')}`);

if (notRun.length) console.log(`\nNot run on this machine:\n- ${notRun.join('\n- ')}`);
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(exitCode);

function runTap(run: Run): Promise<{ passed: number; failed: number; code: number; failures: string[] }> {
  return new Promise((resolve) => {
    const tap = path.join('node_modules', '.bin', 'tap');
    const child = spawn(process.execPath, [tap, '--reporter=tap', ...run.args], {
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let tail = '';
    let partial = '';
    // The open subtests by depth, so a failure can be named by its file and test.
    const open: string[] = [];
    const failures: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(text);
      tail = (tail + text).slice(-4000);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const depth = (line.length - line.trimStart().length) / 4;
        const subtest = /^\s*# Subtest: (.*)$/.exec(line);
        if (subtest) open.splice(depth, open.length, subtest[1]!);
        const notOk = /^\s*not ok \d+ - (.*?)(?: # time=.*)?$/.exec(line);
        if (notOk) failures.push([...open.slice(0, depth), notOk[1]].join(' > '));
      }
    });
    child.on('close', (code) => {
      // tap's closing summary: "# { total: 12, pass: 11, fail: 1 }"
      const summary = [...tail.matchAll(/^# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/gm)].at(-1);
      const total = Number(summary?.[1] ?? 0);
      const pass = Number(summary?.[2] ?? 0);
      const fail = Number(summary?.[3] ?? total - pass);
      resolve({ passed: pass, failed: fail, code: code ?? 1, failures: innermost(failures) });
    });
  });
}

// A failed subtest is reported after its failed children: "a > b > c" makes "a > b" and "a" redundant.
function innermost(failures: string[]): string[] {
  return failures.filter((f) => !failures.some((other) => other !== f && other.startsWith(`${f} > `)));
}
