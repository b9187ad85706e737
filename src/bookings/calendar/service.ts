import { recordAudit } from '../../audit/record.ts';
import type { Tx } from '../../db/database.ts';
import { newToken } from '../../lib/tokens.ts';
import { replaceFeedToken } from './queries.ts';

/**
 * Creates the person's calendar feed address, or replaces it. The secret is returned once, to
 * show on the page; only its hash is stored, so it can never be shown again (only replaced).
 */
export async function resetCalendarFeed(tx: Tx, actor: { id: string; address?: string | null }): Promise<string> {
  const { token, hash } = newToken();
  await replaceFeedToken(tx, actor.id, hash);
  await recordAudit(tx, { actorId: actor.id, action: 'calendar_feed_reset', subjectType: 'user', subjectId: actor.id, address: actor.address ?? null });
  return token;
}
