import { z } from 'zod';
import { type Block, compose, paragraph, type Written } from './compose.ts';
import { absolute, greeting, recipientFacts, sessionFacts, sessionFactsJson } from './facts.ts';

/*
 * A provider's own message to everyone with a place on a session, or everyone waiting (issue 16,
 * item 5): queued as facts (publishing/sessions/message-queries.ts) and written here by the
 * delivery worker. The provider's words are plain text: the email's HTML escapes them like any value.
 */
const broadcastFacts = z.object({
  ...recipientFacts,
  booking: z.object({ id: z.string(), status: z.enum(['confirmed', 'waitlisted', 'cancelled']) }),
  audience: z.enum(['booked', 'waiting']),
  body: z.string(),
  contact: z.string().nullable(),
  session: sessionFactsJson,
});

export function writeSessionBroadcast(recorded: unknown): Written {
  const facts = broadcastFacts.parse(recorded);
  const { session } = facts;
  const blocks: Block[] = [
    paragraph(
      `${session.organisationName} sent this message to everyone ${facts.audience === 'booked' ? 'with a place on' : 'on the waiting list for'} a taster session:`,
    ),
    sessionFacts(session),
    ...facts.body.split(/\n{2,}/).map((text) => paragraph(text)),
    paragraph(
      facts.contact
        ? `To reply, email ${session.organisationName} at ${facts.contact}, not this address.`
        : `To reply, contact ${session.organisationName} directly: replies to this email are not read.`,
    ),
  ];
  if (facts.baseUrl) blocks.push({ type: 'action', text: 'See your booking', href: absolute(facts.baseUrl, `/bookings/${facts.booking.id}`) });
  return {
    ...compose({
      subject: `A message from ${session.organisationName} about ${session.title}`,
      heading: `A message about your taster session`,
      greeting: greeting(facts.name),
      blocks,
    }),
    attachments: [],
  };
}
