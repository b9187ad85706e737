import { REGISTER_OPEN_DAYS, type RegisterWindow, registerClosesAt, registerWindow } from '../attendance/service.ts';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import type { Attendance } from '../db/tables/bookings.ts';
import { DomainError, type DomainErrorCode, NotFoundError } from '../lib/errors.ts';
import type { CurrentUser } from '../web/current-user.ts';
import * as door from './door-queries.ts';
import * as q from './queries.ts';

/**
 * The door registers of a taster day, as for sessions: open from the start of the day until
 * REGISTER_OPEN_DAYS after it ends (the same window, so a day's registers close as a session's do).
 * The day's register is its organisers' (coordinators); a taster's register is also for the staff
 * of the organisation running it. Marks are stored in the attendance columns of day_registrations
 * and day_taster_choices, for the day's report.
 */
export { registerClosesAt as doorClosesAt, registerWindow as doorWindow };

/** Staff of the organisation running the taster, and coordinators: for anyone else it is not there. */
export function assertCanTakeTasterRegister(user: CurrentUser, taster: { organisationId: string }) {
  if (user.role === 'coordinator') return;
  if (user.role === 'provider' && user.organisationId === taster.organisationId) return;
  throw new NotFoundError();
}

const windowErrors: Record<Exclude<RegisterWindow, 'open'>, [code: DomainErrorCode, message: string]> = {
  not_started: ['register_not_open', 'You can record attendance from the start of the day'],
  closed: ['register_closed', `Attendance can only be changed until ${REGISTER_OPEN_DAYS} days after the day`],
  cancelled: ['session_cancelled', 'This day was cancelled, so there is no register to take'],
  draft: ['session_not_published', 'This day has not been published, so there is no register to take'],
};

/** Takes the day's lock (the one every change to its places takes) and checks the register is open. */
async function lockOpenDay(tx: Tx, dayId: string, now: Date) {
  const locked = await q.lockDay(tx, dayId);
  if (!locked) throw new NotFoundError();
  const day = await tx.selectFrom('tasterDays').select(['status', 'startsAt', 'endsAt']).where('id', '=', dayId).executeTakeFirstOrThrow();
  const window = registerWindow(day, now);
  if (window !== 'open') {
    const [code, message] = windowErrors[window];
    throw new DomainError(code, message);
  }
}

/** Marks a person with a confirmed place on the day as attended or did not come. */
export async function markDayAttendance(tx: Tx, actor: Actor, dayId: string, registrationId: string, attendance: Attendance, now = new Date()) {
  await lockOpenDay(tx, dayId, now);
  if (!(await door.setDayAttendance(tx, dayId, registrationId, attendance))) throw new NotFoundError();
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'day_attendance_recorded',
    subjectType: 'taster_day',
    subjectId: dayId,
    details: { registrationId, attendance },
    address: actor.address ?? null,
  });
}

/** Marks a person with a confirmed place in one taster of the day. */
export async function markTasterAttendance(tx: Tx, actor: Actor, dayId: string, tasterId: string, choiceId: string, attendance: Attendance, now = new Date()) {
  await lockOpenDay(tx, dayId, now);
  if (!(await door.setTasterAttendance(tx, tasterId, choiceId, attendance))) throw new NotFoundError();
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'day_taster_attendance_recorded',
    subjectType: 'taster_day',
    subjectId: dayId,
    details: { tasterId, choiceId, attendance },
    address: actor.address ?? null,
  });
}
