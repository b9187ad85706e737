import { placeLines } from '../bookings/view-models.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import type { Block } from './compose.ts';
import type { SessionFacts } from './queries.ts';

export function whenText(session: { startsAt: Date; endsAt: Date }): string {
  return `${h.date(session.startsAt)}, ${h.time(session.startsAt)} to ${h.time(session.endsAt)}`;
}

export function whereText(session: Parameters<typeof placeLines>[0]): string {
  return placeLines(session).join('\n');
}

/** The What / Who / When / Where table every session message starts with. */
export function sessionFacts(session: SessionFacts): Block {
  return {
    type: 'facts',
    rows: [
      { label: 'What', value: session.title },
      { label: 'Run by', value: session.organisationName },
      { label: 'When', value: whenText(session) },
      { label: 'Where', value: whereText(session) },
    ],
  };
}

/** A site path as the full address a link in an email needs. */
export function absolute(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/$/, '')}${path}`;
}

export function greeting(name: string | null | undefined): string | null {
  return name ? `Dear ${name},` : null;
}

/** The footer line on optional messages: where to turn them off. */
export function preferencesFooter(baseUrl: string): Block {
  return { type: 'link', text: 'Choose which optional emails you get', href: absolute(baseUrl, '/account/preferences') };
}
