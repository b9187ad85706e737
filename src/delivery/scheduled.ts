import { DateTime } from 'luxon';
import { releasePath } from '../bookings/release.ts';
import type { Queryable } from '../db/database.ts';
import { FEEDBACK_EDITABLE_DAYS } from '../feedback/service.ts';
import { viewHelpers as h, LONDON } from '../lib/view-helpers.ts';
import { type Block, compose, paragraph } from '../messages/compose.ts';
import { absolute, greeting, sessionFacts, whenText } from '../messages/facts.ts';
import { queueMessage } from '../messages/outbox.ts';
import { findSessionFacts, type SessionFacts } from '../messages/queries.ts';
import { unsubscribeLinks } from '../preferences/unsubscribe.ts';
import { PROMPT_LASTS_WEEKS, PROMPT_WEEKS, referralPrompts } from '../referrals/prompts.ts';
import { digestRecipients, feedbackCandidates, referralPromptCandidates, reminderCandidates, sessionsWithPlaces } from './queries.ts';

/**
 * The scheduled messages. Each function finds what is due at `now` and queues it with a stable
 * dedupe key, so running a job twice (two instances, a retry, a catch-up after downtime) queues
 * nothing new. Each returns how many messages it queued.
 */
export type ScheduleContext = { db: Queryable; baseUrl: string; secret: string; now: Date; minimumCheckHours?: number };

/** Reminders go from 9am London time on the day before the session. */
export function reminderTime(startsAt: Date): Date {
  return DateTime.fromJSDate(new Date(startsAt), { zone: LONDON }).startOf('day').minus({ days: 1 }).set({ hour: 9 }).toJSDate();
}

function sessionCache(db: Queryable) {
  const cache = new Map<string, Promise<SessionFacts | undefined>>();
  return (id: string) => {
    let facts = cache.get(id);
    if (!facts) {
      facts = findSessionFacts(db, id);
      cache.set(id, facts);
    }
    return facts;
  };
}

export async function queueReminders({ db, baseUrl, secret, now }: ScheduleContext): Promise<number> {
  const session = sessionCache(db);
  let queued = 0;
  for (const booking of await reminderCandidates(db, now)) {
    const remindAt = reminderTime(booking.startsAt);
    if (now < remindAt) continue;
    // Booked after the reminder time: the confirmation they just had says it all.
    if (booking.confirmedAt && new Date(booking.confirmedAt) >= remindAt) continue;
    const facts = await session(booking.sessionId);
    if (!facts) continue;
    const tomorrow = h.isoDate(facts.startsAt) !== h.isoDate(now);
    const stop = unsubscribeLinks({ baseUrl, secret, userId: booking.userId, choice: 'reminders' });
    const message = compose({
      subject: `Reminder: ${facts.title} ${tomorrow ? 'tomorrow' : 'today'}`,
      heading: `Your taster session is ${tomorrow ? 'tomorrow' : 'today'}`,
      greeting: greeting(booking.name),
      blocks: [
        paragraph('This is a reminder of the taster session you have a place on:'),
        sessionFacts(facts),
        ...(facts.isOnline && facts.joiningInstructions
          ? [{ type: 'facts', rows: [{ label: 'How to join', value: facts.joiningInstructions }] } as Block]
          : []),
        ...(facts.whatToBring ? [{ type: 'facts', rows: [{ label: 'What to bring', value: facts.whatToBring }] } as Block] : []),
        { type: 'link', text: 'See your booking', href: absolute(baseUrl, `/bookings/${booking.bookingId}`) },
        paragraph('If you cannot come, please release your place so the next person on the waiting list can have it. You do not need to sign in.'),
        { type: 'action', text: 'I can’t come – release my place', href: absolute(baseUrl, releasePath(secret, booking.bookingId)) },
      ],
      footer: [paragraph('You get a reminder the day before each taster session you book.'), ...stop.footer],
    });
    const isoStart = new Date(facts.startsAt).toISOString();
    if (
      await queueMessage(db, {
        dedupeKey: `reminder:${booking.bookingId}:${isoStart}`,
        kind: 'reminder',
        to: booking.email,
        recipientId: booking.userId,
        ...message,
        unsubscribeUrl: stop.url,
      })
    )
      queued++;
  }
  return queued;
}

export async function queueFeedbackRequests({ db, baseUrl, secret, now }: ScheduleContext): Promise<number> {
  const session = sessionCache(db);
  let queued = 0;
  for (const booking of await feedbackCandidates(db, now, FEEDBACK_EDITABLE_DAYS)) {
    const facts = await session(booking.sessionId);
    if (!facts) continue;
    const stop = unsubscribeLinks({ baseUrl, secret, userId: booking.userId, choice: 'feedbackRequests' });
    const message = compose({
      subject: `How was ${facts.title}?`,
      heading: 'How was your taster session?',
      greeting: greeting(booking.name),
      blocks: [
        paragraph(`Thank you for going to ${facts.title} with ${facts.organisationName} on ${h.date(facts.startsAt)}.`),
        paragraph(
          'Tell us what you thought. It takes about two minutes, and helps other link workers and the organisers. Your answers are not shown with your name.',
        ),
        { type: 'action', text: 'Give feedback', href: absolute(baseUrl, `/bookings/${booking.bookingId}/feedback`) },
      ],
      footer: [paragraph('We ask once after each taster you attend.'), ...stop.footer],
    });
    if (
      await queueMessage(db, {
        dedupeKey: `feedback_request:${booking.bookingId}`,
        kind: 'feedback_request',
        to: booking.email,
        recipientId: booking.userId,
        ...message,
        unsubscribeUrl: stop.url,
      })
    )
      queued++;
  }
  return queued;
}

export async function queueReferralPrompts({ db, baseUrl, secret, now }: ScheduleContext): Promise<number> {
  const first = PROMPT_WEEKS[0];
  const last = Math.max(...PROMPT_WEEKS) + PROMPT_LASTS_WEEKS;
  let queued = 0;
  for (const person of await referralPromptCandidates(db, now, first, last)) {
    const stop = unsubscribeLinks({ baseUrl, secret, userId: person.userId, choice: 'referralPrompts' });
    for (const prompt of await referralPrompts(db, person.userId, now)) {
      const message = compose({
        subject: `Have you referred anyone to ${prompt.offerTitle}?`,
        heading: `Have you referred anyone to ${prompt.offerTitle}?`,
        greeting: greeting(person.name),
        blocks: [
          paragraph(`It is ${prompt.weeks} weeks since you tried ${prompt.offerTitle} with ${prompt.organisationName}.`),
          paragraph(
            'Have you referred any patients to it since? Record how many (never who). It shows whether trying an activity helps people get referred to it.',
          ),
          { type: 'action', text: 'Record referrals', href: absolute(baseUrl, `/referrals/new?offer=${encodeURIComponent(prompt.offerId)}`) },
        ],
        footer: [paragraph(`We ask ${PROMPT_WEEKS.join(' and ')} weeks after a taster.`), ...stop.footer],
      });
      const key = `referral_prompt:${person.userId}:${prompt.offerId}:${prompt.weeks}:${h.isoDate(prompt.lastTasterAt)}`;
      if (
        await queueMessage(db, { dedupeKey: key, kind: 'referral_prompt', to: person.email, recipientId: person.userId, ...message, unsubscribeUrl: stop.url })
      )
        queued++;
    }
  }
  return queued;
}

export const DIGEST_DAYS = 14;
const DIGEST_MOST = 40;

/** The ISO week of a moment in London, such as 2026-W48: one digest per person per week. */
export function isoWeek(now: Date): string {
  return DateTime.fromJSDate(now, { zone: LONDON }).toFormat("kkkk-'W'WW");
}

export async function queueDigests({ db, baseUrl, secret, now }: ScheduleContext): Promise<number> {
  const until = DateTime.fromJSDate(now, { zone: LONDON }).plus({ days: DIGEST_DAYS }).toJSDate();
  const sessions = await sessionsWithPlaces(db, now, until);
  const week = isoWeek(now);
  let queued = 0;
  for (const person of await digestRecipients(db)) {
    const theirs = person.role === 'coordinator' ? sessions : sessions.filter((s) => s.organisationId === person.organisationId);
    if (theirs.length === 0) continue;
    const blocks: Block[] = [
      paragraph(
        `${theirs.length === 1 ? 'One taster session' : `${theirs.length} taster sessions`} ${person.role === 'coordinator' ? '' : 'of your organisation '}in the next two weeks ${theirs.length === 1 ? 'has' : 'have'} places left. Sharing ${theirs.length === 1 ? 'it' : 'them'} with link workers may help fill them.`,
      ),
    ];
    for (const session of theirs.slice(0, DIGEST_MOST)) {
      blocks.push({
        type: 'facts',
        rows: [
          { label: 'What', value: `${session.title} (${session.organisationName})` },
          { label: 'When', value: whenText(session) },
          { label: 'Places left', value: `${session.capacity - session.confirmed} of ${session.capacity}` },
        ],
      });
      blocks.push({ type: 'link', text: `Open ${session.title}, ${h.shortDate(session.startsAt)}`, href: absolute(baseUrl, `/sessions/${session.id}`) });
    }
    if (theirs.length > DIGEST_MOST) blocks.push(paragraph(`And ${theirs.length - DIGEST_MOST} more. See them all on Tasters.`));
    const stop = unsubscribeLinks({ baseUrl, secret, userId: person.userId, choice: 'digests' });
    const message = compose({
      subject: 'Taster sessions with places left in the next two weeks',
      greeting: greeting(person.name),
      blocks,
      footer: [paragraph('This digest comes on Monday mornings.'), ...stop.footer],
    });
    const digest = { dedupeKey: `digest:${person.userId}:${week}`, kind: 'digest', to: person.email, recipientId: person.userId, ...message };
    if (await queueMessage(db, { ...digest, unsubscribeUrl: stop.url })) queued++;
  }
  return queued;
}
