import type { ColumnType, Generated } from 'kysely';

/** Which part of a day's discussion a note belongs to. */
export type NoteKind = 'barrier' | 'opportunity' | 'topic';
/** Who wrote a note, as a role: notes never name their author. */
export type NoteAuthorRole = 'organiser' | 'link_worker' | 'cultural';

export interface DayDiscussionNotesTable {
  id: Generated<string>;
  tasterDayId: string;
  groupName: string;
  kind: NoteKind;
  text: string;
  /** Null once the author's account is deleted. */
  authorId: string | null;
  authorRole: NoteAuthorRole;
  createdAt: ColumnType<Date, never, never>;
}

export type DayNoteTables = { dayDiscussionNotes: DayDiscussionNotesTable };
