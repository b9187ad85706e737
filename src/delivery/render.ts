import { bookingMessageKinds, writeBookingMessage } from '../bookings/messages.ts';
import { dayMessageWriters } from '../days/messages.ts';
import type { Queryable } from '../db/database.ts';
import { writeSessionBroadcast } from '../messages/broadcast-messages.ts';
import type { Written } from '../messages/compose.ts';
import { findMessage } from '../messages/queries.ts';
import { writeSeriesCancelled, writeSeriesChanged } from '../messages/series-messages.ts';
import { writeSessionCancelled, writeSessionChanged } from '../messages/session-messages.ts';
import { listUnwrittenMessages, storeWrittenText } from './queries.ts';

/**
 * Two ways into one outbox. Messages about a booking or a session are queued while the session's
 * row lock is held (rule 1: that lock is held for SQL only), so they are queued as facts, by the
 * statement that makes the change, and written here, after the commit, by whoever needs the text
 * first: the delivery worker, or the development mailbox. The text is then stored on the row, so
 * it is written once: a retry sends the same Message-ID with the same words, and the mailbox and
 * "Emails not delivered" show what was sent. Every other message (invitations, resets, reminders,
 * digests…) is written by its own code when it is queued (queueMessage): none holds a session lock,
 * and each already reads what it needs at that moment, so moving them here would add a facts
 * format per message and gain nothing. Delivery, retries and the pages are the same for both.
 */

const writers: Record<string, (facts: unknown, now: Date) => Written> = {
  ...Object.fromEntries(bookingMessageKinds.map((kind) => [kind, (facts: unknown, now: Date) => writeBookingMessage(kind, facts, now)])),
  session_changed: writeSessionChanged,
  session_cancelled: writeSessionCancelled,
  ...dayMessageWriters,
  series_changed: writeSeriesChanged,
  series_cancelled: writeSeriesCancelled,
  session_broadcast: writeSessionBroadcast,
};

/**
 * Writes a message from its recorded facts. Throws for facts it cannot read: a fault to fix, not to
 * send. `now` is when it is written: the DTSTAMP of any calendar part (RFC 5545: when the calendar
 * object was made). Everything else comes from the facts, as they were at the change.
 */
export function writeMessage(kind: string, facts: unknown, now = new Date()): Written {
  const write = writers[kind];
  if (!write) throw new Error(`no writer for messages of kind ${kind}`);
  return write(facts, now);
}

/** Shown for a message whose facts could not be written (yet): the delivery worker records why. */
export const NOT_WRITTEN = 'An email that could not be written yet';

type StoredMessage = NonNullable<Awaited<ReturnType<typeof findMessage>>>;
export type WrittenMessage = StoredMessage & { subject: string; textBody: string };

export function isWritten(message: StoredMessage): message is WrittenMessage {
  return message.subject !== null && message.textBody !== null;
}

/**
 * The message with its text, writing it from its facts first if nobody has yet. Two writers at once
 * (two workers, a worker and the mailbox) write the same text from the same facts; the first to
 * store it wins, and both return what was stored.
 */
export async function renderMessage(db: Queryable, message: StoredMessage): Promise<WrittenMessage> {
  if (isWritten(message)) return message;
  const written = writeMessage(message.kind, message.facts);
  await storeWrittenText(db, message.id, written);
  const stored = await findMessage(db, message.id);
  if (!stored || !isWritten(stored)) throw new Error(`message ${message.id} was not stored`);
  return stored;
}

/**
 * Writes the messages still waiting as facts (those given, those to one person, or all of them),
 * for pages that show messages before the worker has sent them. One that cannot be written stays
 * as it is, for the worker to record why. Returns how many were written.
 */
export async function renderPendingMessages(db: Queryable, filter: { ids?: string[]; recipientId?: string } = {}): Promise<number> {
  if (filter.ids?.length === 0) return 0;
  let written = 0;
  for (const message of await listUnwrittenMessages(db, filter)) {
    try {
      await renderMessage(db, message);
      written++;
    } catch {
      // Left for the delivery worker, which records the reason where coordinators see it.
    }
  }
  return written;
}
