import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import { type AuditSearch, londonDayStart } from './schemas.ts';

export type AuditEntry = {
  actorId: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  details?: Record<string, unknown>;
  address?: string | null;
};

export async function insertAuditEvent(db: Queryable, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('auditEvents')
    .values({
      actorId: entry.actorId,
      action: entry.action,
      subjectType: entry.subjectType ?? null,
      subjectId: entry.subjectId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      address: entry.address ?? null,
    })
    .execute();
}

export const AUDIT_PAGE_SIZE = 50;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The audit trail, newest first, with who acted, the person or booking it was about, and the
 * session it concerned: a session's own events name it as their subject, booking events carry it in
 * their details, and feedback events reach it through their booking.
 */
export async function searchAuditEvents(db: Queryable, search: AuditSearch) {
  const sessionOf = sql<
    string | null
  >`coalesce(case when e.subject_type = 'taster_session' then e.subject_id end, e.details->>'sessionId', bk.taster_session_id::text)`;
  let query = db
    .selectFrom('auditEvents as e')
    .leftJoin('users as actor', 'actor.id', 'e.actorId')
    .leftJoin('users as su', (join) => join.on('e.subjectType', '=', 'user').on(sql`su.id::text`, '=', sql.ref('e.subjectId')))
    .leftJoin('bookings as bk', (join) => join.on('e.subjectType', '=', 'booking').on(sql`bk.id::text`, '=', sql.ref('e.subjectId')))
    .leftJoin('users as bu', 'bu.id', 'bk.userId')
    .leftJoin('tasterSessions as s', (join) => join.on(sql`s.id::text`, '=', sessionOf))
    .leftJoin('offers as o', 'o.id', 's.offerId')
    .select([
      'e.id',
      'e.occurredAt',
      'e.action',
      'e.subjectType',
      'e.subjectId',
      'e.details',
      'e.address',
      'actor.name as actorName',
      'actor.email as actorEmail',
      'su.name as subjectName',
      'su.email as subjectEmail',
      'bu.name as bookingPersonName',
      'bu.email as bookingPersonEmail',
      's.id as sessionId',
      's.startsAt as sessionStartsAt',
      'o.title as sessionTitle',
    ]);
  if (search.person) {
    const term = `%${search.person.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('actor.name', 'ilike', term),
        eb('actor.email', 'ilike', term),
        eb('su.name', 'ilike', term),
        eb('su.email', 'ilike', term),
        eb('bu.name', 'ilike', term),
        eb('bu.email', 'ilike', term),
        eb(sql<string>`e.details->>'email'`, 'ilike', term),
      ]),
    );
  }
  if (search.session) {
    const session = search.session;
    query = uuidPattern.test(session)
      ? query.where('s.id', '=', session.toLowerCase())
      : query.where('o.title', 'ilike', `%${session.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (search.action) query = query.where('e.action', '=', search.action);
  if (search.from) query = query.where('e.occurredAt', '>=', londonDayStart(search.from));
  if (search.to) query = query.where('e.occurredAt', '<', londonDayStart(search.to, 1));
  // One more than a page, to know whether an older page exists without counting the whole table.
  const rows = await query
    .orderBy('e.occurredAt', 'desc')
    .orderBy('e.id', 'desc')
    .limit(AUDIT_PAGE_SIZE + 1)
    .offset((search.page - 1) * AUDIT_PAGE_SIZE)
    .execute();
  return { rows: rows.slice(0, AUDIT_PAGE_SIZE), more: rows.length > AUDIT_PAGE_SIZE };
}

export type AuditRow = Awaited<ReturnType<typeof searchAuditEvents>>['rows'][number];
