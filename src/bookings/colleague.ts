import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/transaction.ts';
import { findPerson, recordBookedBy } from './colleague-queries.ts';
import { type BookingOutcome, book, type EmailContext } from './service.ts';

export type ColleagueRefusalCode = 'not_colleague' | 'not_link_worker' | 'other_pcn' | 'account_not_active' | 'own_booking';

/** Why a link worker may not book for the person they chose; the message is for the form's field. */
export class ColleagueRefusal extends Error {
  readonly code: ColleagueRefusalCode;
  constructor(code: ColleagueRefusalCode, message: string) {
    super(message);
    this.code = code;
  }
}

export type ColleagueBooking = BookingOutcome & { colleagueName: string };

/**
 * Books a place for a colleague: another active link worker in the booker's PCN. The place is the
 * colleague's, booked exactly as if they had booked it themselves (book_place, with the session's
 * lock, the capacity rule, its audit entry and its email, all theirs); in the same transaction the
 * booking records who made it, the email's facts gain the booker's name, and the booker's own audit
 * entry is written. If the colleague already has a place or is waiting, nothing changes.
 */
export async function bookForColleague(db: Db, actor: Actor, sessionId: string, colleagueId: string, options: EmailContext = {}): Promise<ColleagueBooking> {
  return inTransaction(db, async (tx) => {
    if (colleagueId === actor.id) throw new ColleagueRefusal('own_booking', 'To book a place for yourself, use Book a place on the session');
    const [booker, colleague] = await Promise.all([findPerson(tx, actor.id), findPerson(tx, colleagueId)]);
    if (!booker || !colleague || colleague.erasedAt) throw new ColleagueRefusal('not_colleague', 'Choose a colleague from the list');
    if (colleague.role !== 'link_worker')
      throw new ColleagueRefusal('not_link_worker', `${colleague.name} is not a link worker: you can only book places for link workers`);
    if (!booker.pcn || colleague.pcn !== booker.pcn) {
      throw new ColleagueRefusal('other_pcn', `${colleague.name} is not in your PCN: you can only book for colleagues in ${booker.pcn ?? 'your PCN'}`);
    }
    if (colleague.status !== 'active') {
      throw new ColleagueRefusal('account_not_active', `${colleague.name}'s account is not active, so you cannot book a place for them`);
    }
    const outcome = await book(tx, { id: colleague.id, address: actor.address ?? null }, sessionId, { confidenceBefore: null }, options);
    if (outcome.created) {
      await recordBookedBy(tx, outcome.bookingId, { id: booker.id, name: booker.name });
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'booking_made_for_colleague',
        subjectType: 'booking',
        subjectId: outcome.bookingId,
        details: { sessionId, forUserId: colleague.id, status: outcome.status },
        address: actor.address ?? null,
      });
    }
    return { ...outcome, colleagueName: colleague.name };
  });
}
