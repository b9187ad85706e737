import type { Db } from '../db/database.ts';
import type { CurrentUser } from '../web/current-user.ts';
import { findMyRegistration, shareEmailProblem } from './contacts.ts';
import { tastersForRegisters } from './door-queries.ts';

/**
 * What the day's page offers on and after the day (issue 15, items 5 to 7): for organisers the
 * badges, the door registers and the discussion; for staff of an organisation running a taster its
 * door register; for people with a place the discussion and sharing their email.
 */
export async function onTheDay(db: Db, user: CurrentUser, day: { id: string; status: string; startsAt: Date }) {
  const links: Array<{ href: string; text: string }> = [];
  if (day.status === 'draft') return { links, contacts: null };
  if (user.role === 'coordinator') {
    links.push(
      { href: `/days/${day.id}/badges`, text: 'Name badges to print' },
      { href: `/days/${day.id}/door`, text: 'Door register for the day' },
      { href: `/days/${day.id}/discussion`, text: 'What the room said: the discussion' },
    );
  }
  const own = user.role === 'provider' ? user.organisationId : null;
  if (user.role === 'coordinator' || own) {
    for (const taster of await tastersForRegisters(db, day.id, own ?? undefined)) {
      links.push({ href: `/days/${day.id}/tasters/${taster.id}/door`, text: `Door register: ${taster.title}` });
    }
  }
  if (user.role === 'coordinator') return { links, contacts: null };
  const mine = await findMyRegistration(db, day.id, user.id);
  if (mine?.status !== 'confirmed') return { links, contacts: null };
  links.push({ href: `/days/${day.id}/discussion`, text: 'What the room said: the discussion' });
  const offered = shareEmailProblem(day, mine) === null;
  return { links, contacts: offered ? { sharing: mine.shareEmail } : null };
}
