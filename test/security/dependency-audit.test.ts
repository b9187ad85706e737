import { spawnSync } from 'node:child_process';
import t from 'tap';
import { judgeAudit } from '../../scripts/dependency-audit.ts';

const report = (vulnerabilities: Record<string, unknown>, counts: Record<string, number>) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...counts } },
  });

t.test('a high or critical finding in a production dependency fails, and names it with its fix', async (t) => {
  const verdict = judgeAudit(
    report(
      {
        'tar-like': {
          name: 'tar-like',
          severity: 'critical',
          via: [{ title: 'Arbitrary file write', url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc', severity: 'critical', range: '<2.0.1' }],
          fixAvailable: { name: 'tar-like', version: '2.0.1', isSemVerMajor: false },
        },
        wrapper: { name: 'wrapper', severity: 'high', via: ['tar-like'], fixAvailable: true },
        'left-pad-ish': {
          name: 'left-pad-ish',
          severity: 'moderate',
          via: [{ title: 'ReDoS', url: 'https://example.org', severity: 'moderate' }],
          fixAvailable: false,
        },
      },
      { critical: 1, high: 1, moderate: 1, total: 3 },
    ),
  );
  t.equal(verdict.outcome, 'failed');
  t.match(verdict.lines[0], /2 production dependencies have a known high or critical vulnerability/);
  t.ok(verdict.lines.some((l) => /critical tar-like; fix: tar-like@2\.0\.1/.test(l)));
  t.ok(
    verdict.lines.some((l) => /GHSA-aaaa-bbbb-cccc/.test(l)),
    'the advisory address',
  );
  t.ok(verdict.lines.some((l) => /high wrapper \(through tar-like\); fix: npm audit fix/.test(l)));
  t.notOk(
    verdict.lines.some((l) => /left-pad-ish/.test(l)),
    'moderate findings do not fail the build',
  );
});

t.test('only low and moderate findings pass, and say how many', async (t) => {
  const verdict = judgeAudit(report({ x: { name: 'x', severity: 'moderate', via: [] } }, { moderate: 1, low: 2, total: 3 }));
  t.same(verdict, { outcome: 'passed', lines: ['npm audit: no known high or critical vulnerability in production dependencies (3 low or moderate).'] });
  t.equal(judgeAudit(report({}, {})).outcome, 'passed');
});

t.test('an audit service that cannot answer is reported as not run, with the reason, never as passed', async (t) => {
  const refused = judgeAudit(
    JSON.stringify({
      message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      error: { summary: '', detail: '' },
    }),
  );
  t.equal(refused.outcome, 'not_run');
  t.match(refused.lines[0], /^AUDIT NOT RUN: .*405 Method Not Allowed.*NOT checked\.$/);
  const offline = judgeAudit(JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND registry.npmjs.org' } }));
  t.match(offline, { outcome: 'not_run', lines: [/ENOTFOUND/] });
  t.match(judgeAudit('npm ERR! something odd'), { outcome: 'not_run', lines: [/npm ERR! something odd/] });
  t.match(judgeAudit(''), { outcome: 'not_run' });
});

t.test('`npm run audit:prod` runs here and ends with a clear verdict', async (t) => {
  const run = spawnSync('npm', ['run', '--silent', 'audit:prod'], { encoding: 'utf8', timeout: 120_000 });
  const output = `${run.stdout}${run.stderr}`;
  t.match(
    output,
    /npm audit: no known high or critical|AUDIT NOT RUN: |has a known high or critical|have a known high or critical/,
    output.trim().split('\n').at(-1) ?? 'no output',
  );
  if (/AUDIT NOT RUN/.test(output)) t.equal(run.status, 0, 'an unreachable audit service alone does not fail the build');
  const required = spawnSync('npm', ['run', '--silent', 'audit:prod'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, AUDIT_REQUIRED: 'true' } });
  if (/AUDIT NOT RUN/.test(`${required.stdout}${required.stderr}`)) t.equal(required.status, 1, 'unless AUDIT_REQUIRED=true');
  else t.equal(required.status, run.status, 'the same verdict when the audit can run');
});
