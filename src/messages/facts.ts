import { z } from 'zod';
import { viewHelpers as h, placeLines } from '../lib/view-helpers.ts';
import type { Block } from './compose.ts';

/**
 * A session as a message queued under its lock recorded it (sessionFactsJson in queries.ts):
 * what, who runs it, when and where, as they were at the change. Read back by the worker that
 * writes the message; timestamps arrive as JSON text.
 */
export const sessionFactsJson = z.object({
  id: z.string(),
  status: z.enum(['draft', 'published', 'cancelled']),
  title: z.string(),
  organisationName: z.string(),
  startsAt: z.coerce.date(),
  endsAt: z.coerce.date(),
  isOnline: z.boolean(),
  venueId: z.string().nullable(),
  venueName: z.string().nullable(),
  addressLine1: z.string().nullable(),
  addressLine2: z.string().nullable(),
  town: z.string().nullable(),
  postcode: z.string().nullable(),
  joiningInstructions: z.string().nullable(),
  cancellationReason: z.string().nullable(),
});

export type SessionFactsJson = z.infer<typeof sessionFactsJson>;

/**
 * Who a queued message is for, and the site address its links start with (null: no links). Email
 * and organizer are for a calendar part (ATTENDEE and ORGANIZER); messages queued before they were
 * recorded have neither, and go without one.
 */
export const recipientFacts = {
  baseUrl: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().optional(),
  organizer: z.string().nullable().optional(),
};

type DescribedSession = { title: string; organisationName: string; startsAt: Date; endsAt: Date } & Parameters<typeof placeLines>[0];

export function whenText(session: { startsAt: Date; endsAt: Date }): string {
  return `${h.date(session.startsAt)}, ${h.time(session.startsAt)} to ${h.time(session.endsAt)}`;
}

export function whereText(session: Parameters<typeof placeLines>[0]): string {
  return placeLines(session).join('\n');
}

/** The What / Who / When / Where table every session message starts with. */
export function sessionFacts(session: DescribedSession): Block {
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
