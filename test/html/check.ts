// Every HTML response the tests cause is checked against the rules in config.ts, so a template
// change that makes any page invalid fails the tests that render that page.
import { appendFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HtmlValidate, type Message } from 'html-validate';
import config, { fragmentRules } from './config.ts';

const pageValidator = new HtmlValidate(config);
const fragmentValidator = new HtmlValidate({ ...config, rules: { ...config.rules, ...fragmentRules } });

export type HtmlKind = 'page' | 'fragment';

/** The errors in one document (a whole page) or one htmx fragment, each with the line it is on. */
export async function validateHtml(html: string, kind: HtmlKind): Promise<Array<Message & { source: string }>> {
  const report = await (kind === 'page' ? pageValidator : fragmentValidator).validateString(html, `${kind}.html`);
  const lines = html.split('\n');
  return report.results
    .flatMap((result) => result.messages)
    .filter((m) => m.severity === 2)
    .map((m) => ({ ...m, source: (lines[m.line - 1] ?? '').trim().slice(0, 200) }));
}

export type HtmlCheck = {
  /** One entry per invalid response: the request, then each error with its rule and line. */
  problems: string[];
  pages: number;
  fragments: number;
  /** Streamed HTML (none today) cannot be read without taking it from the client. */
  streamed: string[];
};

/**
 * A whole page has a doctype; a response to an htmx request without <html> is a fragment htmx
 * swaps into the page, checked with the same rules except those that need the whole document.
 */
function kindOf(request: FastifyRequest, body: string): HtmlKind {
  return request.headers['hx-request'] === 'true' && !/<html[\s>]/i.test(body) ? 'fragment' : 'page';
}

/** Checks every text/html response of `app` (any status) as it is sent; see `problems`. */
export function checkHtmlResponses(app: FastifyInstance): HtmlCheck {
  const check: HtmlCheck = { problems: [], pages: 0, fragments: 0, streamed: [] };
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    const what = `${request.method} ${request.url} → ${reply.statusCode}`;
    if (body === null) {
      if (payload != null) check.streamed.push(what);
      return payload;
    }
    if (!body.trim()) return payload;
    const kind = kindOf(request, body);
    if (kind === 'page') check.pages++;
    else check.fragments++;
    const errors = await validateHtml(body, kind);
    if (errors.length) {
      const shown = errors.slice(0, 10).map((e) => `  line ${e.line}:${e.column} ${e.ruleId}: ${e.message}\n      ${e.source}`);
      if (errors.length > shown.length) shown.push(`  …and ${errors.length - shown.length} more`);
      check.problems.push(`${what} (${kind}), ${errors.length} HTML error${errors.length === 1 ? '' : 's'}:\n${shown.join('\n')}`);
    }
    return payload;
  });
  return check;
}

/** The failure a test file ends with when any response it caused was invalid, or nothing. */
export function htmlFailure(check: HtmlCheck): Error | null {
  const tally = process.env.HTML_VALIDATION_TALLY;
  if (tally)
    appendFileSync(
      tally,
      `${JSON.stringify({ file: process.argv[1], pages: check.pages, fragments: check.fragments, invalid: check.problems.length, streamed: check.streamed.length })}\n`,
    );
  if (!check.problems.length) return null;
  return new Error(`Invalid HTML (rules in test/html/config.ts):\n${check.problems.join('\n')}`);
}
