import type { AccountTables } from '../accounts/tables.ts';
import type { BookingTables } from '../bookings/tables.ts';
import type { CalendarTables } from '../calendar/tables.ts';
import type { FindTables } from '../find/tables.ts';
import type { MessageTables } from '../messages/tables.ts';
import type { OrganisationTables } from '../organisations/tables.ts';
import type { PublishingTables } from '../publishing/tables.ts';

/** The whole database, assembled from each feature's own table types. */
export type Database = AccountTables & MessageTables & OrganisationTables & PublishingTables & BookingTables & FindTables & CalendarTables;
