import type { ColumnType, Generated, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

/** The fixed list of offer categories; the codes are stable (they are published in the open-data feed). */
export const offerCategories = [
  'dance_movement',
  'singing_music',
  'arts_crafts',
  'drawing_painting',
  'reading_writing',
  'heritage_museums',
  'gardening_nature',
  'volunteering',
  'wellbeing_mindfulness',
  'other',
] as const;
export type OfferCategory = (typeof offerCategories)[number];

export const categoryNames: Record<OfferCategory, string> = {
  dance_movement: 'Dance and movement',
  singing_music: 'Singing and music',
  arts_crafts: 'Arts and crafts',
  drawing_painting: 'Drawing and painting',
  reading_writing: 'Reading and writing',
  heritage_museums: 'Heritage and museums',
  gardening_nature: 'Gardening and nature',
  volunteering: 'Volunteering',
  wellbeing_mindfulness: 'Wellbeing and mindfulness',
  other: 'Other activities',
};

export const weekdays = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof weekdays)[number];
export type ScheduleFrequency = 'weekly' | 'fortnightly' | 'monthly';
export type SessionStatus = 'draft' | 'published' | 'cancelled';

export interface VenuesTable {
  id: Generated<string>;
  organisationId: string;
  name: string;
  addressLine1: string;
  addressLine2: string | null;
  town: string;
  postcode: string;
  latitude: number | null;
  longitude: number | null;
  stepFree: Generated<boolean>;
  accessibleToilet: Generated<boolean>;
  hearingLoop: Generated<boolean>;
  seating: Generated<boolean>;
  parking: Generated<boolean>;
  quietSpace: Generated<boolean>;
  travelNotes: Generated<string>;
  accessNotes: Generated<string>;
  archivedAt: Date | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface OffersTable {
  id: Generated<string>;
  organisationId: string;
  title: string;
  category: OfferCategory;
  description: string;
  suits: Generated<string>;
  scheduleFrequency: ScheduleFrequency | null;
  /** iCalendar day codes, MO to SU, as Open Referral UK uses them. */
  scheduleDays: ColumnType<Weekday[], Weekday[] | undefined, Weekday[]>;
  scheduleWeekOfMonth: number | null;
  /** 'HH:MM:SS' wall-clock time in Europe/London. */
  scheduleStartTime: string | null;
  scheduleEndTime: string | null;
  scheduleNote: Generated<string>;
  usualVenueId: string | null;
  isFree: Generated<boolean>;
  /** numeric(8,2): node-postgres returns it as a string. */
  costAmount: ColumnType<string | null, string | number | null, string | number | null>;
  costNote: Generated<string>;
  howToRefer: string;
  referralEmail: string | null;
  referralPhone: string | null;
  minAge: number | null;
  maxAge: number | null;
  volunteeringRequirements: string | null;
  status: Generated<'active' | 'archived'>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface TasterSessionsTable {
  id: Generated<string>;
  offerId: string;
  venueId: string | null;
  isOnline: Generated<boolean>;
  joiningInstructions: string | null;
  startsAt: Date;
  /** The London hour (0–23) and ISO weekday (1 Monday – 7 Sunday) of startsAt, kept by a trigger. */
  startsHourLondon: ColumnType<number, never, never>;
  startsWeekdayLondon: ColumnType<number, never, never>;
  endsAt: Date;
  capacity: number;
  bookingClosesAt: Date;
  whatToBring: Generated<string>;
  accessNotes: Generated<string>;
  facilitatorNote: Generated<string>;
  status: Generated<SessionStatus>;
  cancellationReason: string | null;
  /** Raised by each move and by the cancellation: part of a calendar event's SEQUENCE (src/messages/queries.ts). */
  calendarSequence: Generated<number>;
  seriesId: string | null;
  /** The bookings it needs to go ahead (none: it always runs); see src/minimum. */
  minimumBookings: ColumnType<number | null, number | null | undefined, number | null>;
  minimumToldAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  runAnywayAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  runAnywayBy: ColumnType<string | null, string | null | undefined, string | null>;
  publishedAt: Date | null;
  cancelledAt: Date | null;
  createdBy: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export type VenueRow = Selectable<VenuesTable>;
export type OfferRow = Selectable<OffersTable>;
export type TasterSessionRow = Selectable<TasterSessionsTable>;

export type PublishingTables = {
  venues: VenuesTable;
  offers: OffersTable;
  tasterSessions: TasterSessionsTable;
};
