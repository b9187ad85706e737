import type { FastifyReply } from 'fastify';

const origin = /^https:\/\/[a-z0-9.-]+(?::\d{1,5})?$/;

/**
 * Lets the organisation's own websites, and only those, show this answer in a frame: the
 * policy's frame-ancestors names them instead of 'none'. X-Frame-Options cannot name a site, and
 * browsers obey frame-ancestors over it, so it goes. Every other page keeps frame-ancestors 'none'.
 * The origins were checked when saved and by the database; they are checked once more here
 * because they end up in a header.
 */
export function allowFramingBy(reply: FastifyReply, websites: readonly string[]): void {
  const allowed = websites.filter((website) => origin.test(website));
  const policy = String(reply.getHeader('content-security-policy') ?? '');
  reply.header('content-security-policy', policy.replace(/frame-ancestors [^;]*/, `frame-ancestors ${allowed.length ? allowed.join(' ') : "'none'"}`));
  reply.removeHeader('x-frame-options');
}
