import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Queryable, Tx } from '../db/database.ts';
import type { Role } from '../db/tables/accounts.ts';
import type { NoteAuthorRole, NoteKind } from '../db/tables/day-notes.ts';
import { DomainError, ForbiddenError, NotFoundError } from '../lib/errors.ts';
import { requiredText } from '../lib/forms.ts';
import * as q from './queries.ts';

/**
 * What the room said (issue 15, item 7): the day's discussion — barriers, opportunities and topics
 * for further work — by group. The day's organisers (coordinators) record it; people with a
 * confirmed place read it and add to it from the start of the day until a week after it ends,
 * then it is read-only for them. Notes never carry a name: the author's role is shown instead.
 */

/** How long after the day participants can add to its discussion. */
export const NOTES_OPEN_DAYS = 7;

export const noteKinds: Array<[NoteKind, string, string]> = [
  ['barrier', 'Barrier', 'Barriers'],
  ['opportunity', 'Opportunity', 'Opportunities'],
  ['topic', 'Topic for further work', 'Topics for further work'],
];
export const noteKindName = Object.fromEntries(noteKinds.map(([kind, one]) => [kind, one])) as Record<NoteKind, string>;
export const authorRoleName: Record<NoteAuthorRole, string> = { organiser: 'An organiser', link_worker: 'A link worker', cultural: 'Cultural-sector staff' };

export const noteForm = z.object({
  group: requiredText('Enter the group, like Group 1 or Table 3', 60, 'Group must be 60 characters or fewer'),
  kind: z.enum(['barrier', 'opportunity', 'topic'], { error: 'Select whether this is a barrier, an opportunity or a topic for further work' }),
  text: requiredText('Enter what the group said', 1000, 'What the group said must be 1,000 characters or fewer', { multiline: true }),
});

export type NoteInput = z.output<typeof noteForm>;

/** Calendar days in London, so a clock change in between does not move the end by an hour. */
export function notesCloseAt(day: { endsAt: Date }): Date {
  return DateTime.fromJSDate(day.endsAt, { zone: 'Europe/London' }).plus({ days: NOTES_OPEN_DAYS }).toJSDate();
}

type Viewer = { id: string; role: Role };
type DayState = { id: string; status: string; startsAt: Date; endsAt: Date };

/**
 * Who reads the discussion, and whether they may add to it now: organisers always; people with a
 * confirmed place read it, and add from the start of the day until it closes. Anyone else: 403.
 */
export async function discussionAccess(db: Queryable, viewer: Viewer, day: DayState, now = new Date()) {
  if (viewer.role === 'coordinator') return { authorRole: 'organiser' as const, canAdd: day.status !== 'cancelled', why: null };
  const registration = await q.findLiveRegistration(db, day.id, viewer.id);
  if (registration?.status !== 'confirmed') throw new ForbiddenError('The discussion is for the day’s organisers and the people with a place on it.');
  const authorRole: NoteAuthorRole = registration.audience;
  let why: string | null = null;
  if (day.status === 'cancelled') why = 'This day was cancelled.';
  else if (now < day.startsAt) why = 'You can add to the discussion from the start of the day.';
  else if (now > notesCloseAt(day)) why = `The discussion closed ${NOTES_OPEN_DAYS} days after the day, so it can be read but not added to.`;
  return { authorRole, canAdd: why === null, why };
}

/** Adds a note, checked under the day's lock (the registration read under it cannot be cancelled meanwhile). */
export async function addNote(tx: Tx, actor: Actor & { role: Role }, dayId: string, input: NoteInput, now = new Date()) {
  const locked = await q.lockDay(tx, dayId);
  if (!locked || locked.status === 'draft') throw new NotFoundError();
  const day = await tx.selectFrom('tasterDays').select(['id', 'status', 'startsAt', 'endsAt']).where('id', '=', dayId).executeTakeFirstOrThrow();
  const access = await discussionAccess(tx, actor, day, now);
  if (!access.canAdd) throw new DomainError('notes_closed', access.why ?? 'This day was cancelled.');
  const row = await tx
    .insertInto('dayDiscussionNotes')
    .values({ tasterDayId: dayId, groupName: input.group, kind: input.kind, text: input.text, authorId: actor.id, authorRole: access.authorRole })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'day_note_added',
    subjectType: 'taster_day',
    subjectId: dayId,
    details: { noteId: row.id },
    address: actor.address ?? null,
  });
  return row.id;
}

/** The notes of a day, by group then kind, oldest first: never with the author's name. */
export async function listNotes(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayDiscussionNotes')
    .select(['id', 'groupName', 'kind', 'text', 'authorRole', 'createdAt'])
    .where('tasterDayId', '=', dayId)
    .orderBy('groupName')
    .orderBy('kind')
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

export type Note = Awaited<ReturnType<typeof listNotes>>[number];

/** The notes grouped for the page: each group with its barriers, opportunities and topics. */
export function groupsOf(notes: Note[]) {
  const names = [...new Set(notes.map((n) => n.groupName))];
  return names.map((name) => ({
    name,
    kinds: noteKinds.map(([kind, , many]) => ({ kind, heading: many, notes: notes.filter((n) => n.groupName === name && n.kind === kind) })),
  }));
}
