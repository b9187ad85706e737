import type { AccountTables } from './tables/accounts.ts';
import type { AttendanceTables } from './tables/attendance.ts';
import type { BookingTables } from './tables/bookings.ts';
import type { BroadcastTables } from './tables/broadcasts.ts';
import type { CalendarTables } from './tables/calendar.ts';
import type { DayNoteTables } from './tables/day-notes.ts';
import type { DayTables } from './tables/days.ts';
import type { DayAfterTables } from './tables/days-after.ts';
import type { FeedbackTables } from './tables/feedback.ts';
import type { FindTables } from './tables/find.ts';
import type { MessageTables } from './tables/messages.ts';
import type { OrganisationTables } from './tables/organisations.ts';
import type { PreferenceTables } from './tables/preferences.ts';
import type { PrivacyTables } from './tables/privacy.ts';
import type { PublishingTables } from './tables/publishing.ts';
import type { ReferralTables } from './tables/referrals.ts';
import type { ReservationTables } from './tables/reservations.ts';
import type { TwoStepTables } from './tables/two-step.ts';

/** The whole database: each area's tables, with their enumerations, in src/db/tables/. */
export type Database = AccountTables &
  MessageTables &
  OrganisationTables &
  PublishingTables &
  BookingTables &
  FindTables &
  CalendarTables &
  AttendanceTables &
  FeedbackTables &
  ReferralTables &
  PreferenceTables &
  TwoStepTables &
  PrivacyTables &
  DayTables &
  DayNoteTables &
  BroadcastTables &
  DayAfterTables &
  ReservationTables;
