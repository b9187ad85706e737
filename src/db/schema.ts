import type { AccountTables } from '../accounts/tables.ts';
import type { AttendanceTables } from '../attendance/tables.ts';
import type { BookingTables } from '../bookings/tables.ts';
import type { FeedbackTables } from '../feedback/tables.ts';
import type { CalendarTables } from '../calendar/tables.ts';
import type { FindTables } from '../find/tables.ts';
import type { MessageTables } from '../messages/tables.ts';
import type { OrganisationTables } from '../organisations/tables.ts';
import type { PreferenceTables } from '../preferences/tables.ts';
import type { PrivacyTables } from '../privacy/tables.ts';
import type { PublishingTables } from '../publishing/tables.ts';
import type { ReferralTables } from '../referrals/tables.ts';
import type { TwoStepTables } from '../twostep/tables.ts';

/** The whole database, assembled from each feature's own table types. */
export type Database = AccountTables & MessageTables & OrganisationTables & PublishingTables & BookingTables & FindTables & CalendarTables
  & AttendanceTables & FeedbackTables & ReferralTables & PreferenceTables
  & TwoStepTables & PrivacyTables;
