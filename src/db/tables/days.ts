import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Attendance } from './bookings.ts';

type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export type DayStatus = 'draft' | 'published' | 'cancelled';
export type ProgrammeItemKind = 'plenary' | 'slot';
/** The two sides a day brings together, each with its own places. */
export type Audience = 'link_worker' | 'cultural';
export type PlaceStatus = 'confirmed' | 'waitlisted' | 'cancelled';

export interface TasterDaysTable {
  id: Generated<string>;
  title: string;
  description: Generated<string>;
  venueId: string;
  startsAt: Date;
  endsAt: Date;
  bookingClosesAt: Date;
  linkWorkerPlaces: number;
  culturalPlaces: number;
  status: Generated<DayStatus>;
  /** Set when provider staff propose a day (a later part of issue 15); a coordinator's day has none. */
  organisationId: string | null;
  createdBy: string | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  publishedAt: Date | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  /** Raised by every change the calendar events of the day's registrations must follow (migration 20261204_0101). */
  calendarSequence: Generated<number>;
  cancellationReason: Generated<string | null>;
  cancelledAt: Generated<Date | null>;
}

export interface DayProgrammeItemsTable {
  id: Generated<string>;
  tasterDayId: string;
  kind: ProgrammeItemKind;
  title: string;
  description: Generated<string>;
  startsAt: Date;
  endsAt: Date;
  createdAt: CreatedAt;
}

export interface DayTastersTable {
  id: Generated<string>;
  programmeItemId: string;
  organisationId: string;
  offerId: string | null;
  title: string;
  description: Generated<string>;
  capacity: number;
  room: Generated<string>;
  whatToBring: Generated<string>;
  createdAt: CreatedAt;
}

export interface DayRegistrationsTable {
  id: Generated<string>;
  tasterDayId: string;
  /** Null only after the person's account has been erased. */
  userId: string | null;
  audience: Audience;
  status: PlaceStatus;
  /** The waiting list is ordered by this, then id. */
  waitlistedAt: Date | null;
  confirmedAt: Date | null;
  promotedAt: Date | null;
  cancelledAt: Date | null;
  accessNeeds: string | null;
  dietaryNeeds: string | null;
  needsRemovedAt: Date | null;
  onParticipantList: Generated<boolean>;
  shareEmail: Generated<boolean>;
  attendance: Attendance | null;
  attendanceRecordedAt: Date | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface DayTasterChoicesTable {
  id: Generated<string>;
  registrationId: string;
  dayTasterId: string;
  programmeItemId: string;
  status: PlaceStatus;
  waitlistedAt: Date | null;
  confirmedAt: Date | null;
  promotedAt: Date | null;
  cancelledAt: Date | null;
  attendance: Attendance | null;
  attendanceRecordedAt: Date | null;
  updatedAt: UpdatedAt;
}

export type TasterDayRow = Selectable<TasterDaysTable>;
export type ProgrammeItemRow = Selectable<DayProgrammeItemsTable>;
export type DayTasterRow = Selectable<DayTastersTable>;

export type DayTables = {
  tasterDays: TasterDaysTable;
  dayProgrammeItems: DayProgrammeItemsTable;
  dayTasters: DayTastersTable;
  dayRegistrations: DayRegistrationsTable;
  dayTasterChoices: DayTasterChoicesTable;
};
