import type { ColumnType, Generated, Selectable } from 'kysely';

export type BookingStatus = 'confirmed' | 'waitlisted' | 'cancelled';
export type Attendance = 'attended' | 'no_show';
export type AttendanceMarkedBy = 'register' | 'self_check_in';

export interface BookingsTable {
  id: Generated<string>;
  tasterSessionId: string;
  /** Null only after the person's account has been erased: the row stays as an anonymous count. */
  userId: string | null;
  status: BookingStatus;
  requestedAt: ColumnType<Date, Date | undefined, never>;
  /** The waiting list is ordered by this, then id. */
  waitlistedAt: Date | null;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  promotedAt: Date | null;
  isWalkIn: Generated<boolean>;
  attendance: Attendance | null;
  attendanceRecordedAt: Date | null;
  attendanceRecordedBy: string | null;
  /** How the attendance was marked: at the register, or by the person scanning the session's QR code. */
  attendanceMarkedBy: AttendanceMarkedBy | null;
  /** Who made the booking when a colleague made it for this person (null: they booked it themselves). */
  bookedBy: string | null;
  confidenceBefore: number | null;
  /** The place held for a PCN this booking took (session_reservations), if any; kept after the release. */
  reservationId: ColumnType<string | null, string | null | undefined, string | null>;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export type BookingRow = Selectable<BookingsTable>;

export type BookingTables = { bookings: BookingsTable };
