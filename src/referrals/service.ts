import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import { DomainError } from '../lib/errors.ts';
import { findOffer, findOwnReport, saveReferralReport } from './queries.ts';
import type { ReferralValues } from './schemas.ts';

/**
 * Records how many people a link worker referred to an offer in a month. Counts only: nothing
 * about the patients. Recording the same offer and month again replaces the count, so a mistake
 * is corrected by saying the right number.
 */
export async function recordReferrals(tx: Tx, actor: Actor, values: ReferralValues, now = new Date()) {
  const offer = await findOffer(tx, values.offerId);
  if (!offer) throw new DomainError('offer_not_found', 'Select the activity you referred people to', 'offerId');
  const previous = await findOwnReport(tx, actor.id, values.offerId, values.month);
  // The unique index settles a race between two tabs: the later count wins, as if sent twice.
  await saveReferralReport(tx, { userId: actor.id, offerId: values.offerId, month: values.month, count: values.count }, now);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'referrals_recorded',
    subjectType: 'offer',
    subjectId: values.offerId,
    details: { month: values.month, count: values.count, previous: previous?.referralCount ?? null },
    address: actor.address ?? null,
  });
  return { offer, previous: previous?.referralCount ?? null };
}
