/**
 * Supply chain: known vulnerabilities in production dependencies (`npm run audit:prod`, run by
 * .ci/run). Fails on a known high or critical one. If the audit service cannot be reached (some
 * registry mirrors answer "405 Method Not Allowed"), it says plainly that the check did not run and
 * why, and does not fail for that reason alone, unless AUDIT_REQUIRED=true.
 */
import { spawnSync } from 'node:child_process';

export type AuditVerdict = { outcome: 'passed' | 'failed' | 'not_run'; lines: string[] };

type Advisory = { title?: string; url?: string; severity?: string; range?: string };
type Vulnerability = {
  name?: string;
  severity?: string;
  via?: Array<Advisory | string>;
  fixAvailable?: boolean | { name: string; version: string; isSemVerMajor?: boolean };
};
type Report = {
  vulnerabilities?: Record<string, Vulnerability>;
  metadata?: { vulnerabilities?: Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical' | 'total', number>> };
  error?: { code?: string; summary?: string; detail?: string };
  message?: string;
  statusCode?: number;
};

const SERIOUS = new Set(['high', 'critical']);

/** Reads what `npm audit --omit=dev --json` printed, and decides. */
export function judgeAudit(output: string): AuditVerdict {
  let report: Report;
  try {
    report = JSON.parse(output) as Report;
  } catch {
    const first = output.trim().split('\n')[0] || 'no output';
    return {
      outcome: 'not_run',
      lines: [`AUDIT NOT RUN: npm audit gave no report (${first.slice(0, 200)}). Known vulnerabilities in production dependencies were NOT checked.`],
    };
  }
  const counts = report.metadata?.vulnerabilities;
  if (!counts) {
    const reason =
      [report.message ?? report.statusCode, report.error?.code, report.error?.summary].filter(Boolean).join(' ') || 'the audit service gave no answer';
    return {
      outcome: 'not_run',
      lines: [`AUDIT NOT RUN: the npm audit service could not be used: ${reason}. Known vulnerabilities in production dependencies were NOT checked.`],
    };
  }
  const serious = Object.entries(report.vulnerabilities ?? {}).filter(([, v]) => SERIOUS.has(v.severity ?? ''));
  if (serious.length === 0) {
    const minor = (counts.low ?? 0) + (counts.moderate ?? 0) + (counts.info ?? 0);
    return { outcome: 'passed', lines: [`npm audit: no known high or critical vulnerability in production dependencies (${minor} low or moderate).`] };
  }
  const lines = [`npm audit: ${serious.length} production dependenc${serious.length === 1 ? 'y has' : 'ies have'} a known high or critical vulnerability:`];
  for (const [name, vulnerability] of serious) {
    const advisories = (vulnerability.via ?? []).filter((v): v is Advisory => typeof v === 'object');
    const through = (vulnerability.via ?? []).filter((v): v is string => typeof v === 'string');
    const fix =
      vulnerability.fixAvailable === true
        ? 'fix: npm audit fix'
        : vulnerability.fixAvailable
          ? `fix: ${vulnerability.fixAvailable.name}@${vulnerability.fixAvailable.version}${vulnerability.fixAvailable.isSemVerMajor ? ' (a major version)' : ''}`
          : 'no fix released yet';
    lines.push(`  ${vulnerability.severity} ${name}${through.length ? ` (through ${through.join(', ')})` : ''}; ${fix}`);
    for (const advisory of advisories) lines.push(`    ${advisory.title ?? 'advisory'} ${advisory.url ?? ''} ${advisory.range ?? ''}`.trimEnd());
  }
  lines.push('See "Known vulnerabilities" in the README for what to do.');
  return { outcome: 'failed', lines };
}

/** Runs the audit and prints the verdict; returns the exit code. */
export function runProductionAudit(): number {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const verdict = run.error
    ? {
        outcome: 'not_run' as const,
        lines: [`AUDIT NOT RUN: npm could not be started (${run.error.message}). Known vulnerabilities in production dependencies were NOT checked.`],
      }
    : judgeAudit(run.stdout);
  const print = verdict.outcome === 'passed' ? console.log : console.error;
  for (const line of verdict.lines) print(line);
  if (verdict.outcome === 'failed') return 1;
  if (verdict.outcome === 'not_run' && process.env.AUDIT_REQUIRED === 'true') {
    console.error('AUDIT_REQUIRED=true: failing because the audit could not run.');
    return 1;
  }
  return 0;
}
