import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { recordAudit } from '../../src/audit/record.ts';
import type { Db } from '../../src/db/database.ts';
import { newToken } from '../../src/lib/tokens.ts';
import { queueMessage } from '../../src/messages/outbox.ts';
import { setUpTwoStep } from '../accounts/two-step/helpers.ts';
import {
  type BookingValues,
  createBooking,
  createFeedback,
  createMissedReason,
  createOffer,
  createOrganisation,
  createReferralReport,
  createSession,
  createUser,
  createVenue,
  type TestUser,
} from '../fixtures/builders.ts';
import { daysFromNow as days } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';

/** Booked a month ago (and, if cancelled, cancelled five days later); attendance recorded nine days ago. */
function booked(values: BookingValues & { recordedBy?: string } = {}): BookingValues {
  const { recordedBy, ...rest } = values;
  const status = rest.status ?? 'confirmed';
  return {
    confirmedAt: status === 'waitlisted' ? null : days(-30),
    waitlistedAt: status === 'waitlisted' ? days(-30) : null,
    cancelledAt: status === 'cancelled' ? days(-25) : null,
    attendanceRecordedAt: rest.attendance ? days(-9) : null,
    attendanceRecordedBy: rest.attendance ? (recordedBy ?? null) : null,
    confidenceBefore: 3,
    ...rest,
  };
}

/** Feedback as the people of this programme gave it: adequate and available left as "don't know". */
const feedback = (db: Db, bookingId: string, comments: string | null, rating = 4) =>
  createFeedback(db, bookingId, {
    confidenceAfter: 8,
    rating,
    accessible: 4,
    appropriate: 5,
    adequate: null,
    affordable: 2,
    available: null,
    comments,
    referringEasier: comments ? 'A leaflet to hand out' : null,
  });

export type World = Awaited<ReturnType<typeof buildWorld>>;

/**
 * A small programme with one person (the subject) who has data in every table that can hold
 * any, and others around them whose data must not change when the subject's does.
 */
export async function buildWorld(app: FastifyInstance, db: Db) {
  const museum = await createOrganisation(db, { name: `Museum of Tests ${Date.now()}`, kind: 'museum' });
  const garden = await createOrganisation(db, { name: `Garden of Tests ${Date.now()}`, kind: 'garden' });
  const coordinator = await createUser(db, 'coordinator');
  const secondCoordinator = await createUser(db, 'coordinator');
  const provider = await createUser(db, 'provider', { organisationId: museum.id });
  const subject: TestUser & { practice: string; pcn: string } = {
    ...(await createUser(db, 'link_worker', {
      name: 'Zebedee Quartermaine',
      email: `zebedee.quartermaine.${Date.now()}@nhs.net`,
      practice: 'Marlowe Road Surgery',
      pcn: 'Riverside PCN',
    })),
    practice: 'Marlowe Road Surgery',
    pcn: 'Riverside PCN',
  };
  const colleague = await createUser(db, 'link_worker', { name: 'Priya Colleague', practice: 'Elm Tree Surgery', pcn: 'Riverside PCN' });
  const other = await createUser(db, 'link_worker', { name: 'Owen Other', practice: 'Hill Practice', pcn: 'Hillside PCN' });

  const singing = await createOffer(db, museum.id, { title: 'Singing for wellbeing', category: 'singing_music' });
  const gardening = await createOffer(db, garden.id, { title: 'Garden volunteering', category: 'gardening_nature' });
  const hall = await createVenue(db, museum.id);
  const glasshouse = await createVenue(db, garden.id);
  const attended = await createSession(db, singing.id, { venueId: hall.id, startsAt: days(-10), capacity: 8 });
  const missed = await createSession(db, gardening.id, { venueId: glasshouse.id, startsAt: days(-20), capacity: 6 });
  const upcoming = await createSession(db, singing.id, { venueId: hall.id, startsAt: days(7), capacity: 10 });
  const cancelledOne = await createSession(db, singing.id, { venueId: hall.id, startsAt: days(-5), capacity: 5 });

  // The subject's own trail through the service.
  const bookings = {
    attended: await createBooking(db, attended.id, subject.id, booked({ attendance: 'attended', recordedBy: provider.id, confidenceBefore: 2 })),
    missed: await createBooking(db, missed.id, subject.id, booked({ attendance: 'no_show', recordedBy: provider.id })),
    upcoming: await createBooking(db, upcoming.id, subject.id, booked()),
    cancelled: await createBooking(db, cancelledOne.id, subject.id, booked({ status: 'cancelled' })),
  };
  await feedback(db, bookings.attended.id, 'Zebedee Quartermaine says: =HYPERLINK("http://evil.example") lovely group', 5);
  await createMissedReason(db, bookings.missed.id, { reason: 'work', details: 'Clinic at Marlowe Road Surgery overran' });
  const month = DateTime.fromJSDate(days(-10), { zone: 'Europe/London' }).toFormat('yyyy-MM');
  await createReferralReport(db, subject.id, singing.id, month, 3);
  await db.insertInto('calendarFeeds').values({ userId: subject.id, tokenHash: newToken().hash }).execute();
  // They sign in with NHSmail too.
  await db
    .insertInto('signInIdentities')
    .values({ userId: subject.id, provider: 'nhsmail', subject: `nhsmail-${subject.id}`, email: subject.email })
    .execute();
  await sql`insert into message_preferences (user_id, reminders, digests) values (${subject.id}, false, true)`.execute(db);
  await queueMessage(db, {
    dedupeKey: `test-reminder-${subject.id}`,
    kind: 'reminder',
    to: subject.email,
    recipientId: subject.id,
    subject: 'Your taster tomorrow',
    text: `Dear Zebedee Quartermaine, see you tomorrow.`,
  });
  await queueMessage(db, {
    dedupeKey: `test-provider-${subject.id}`,
    kind: 'new_booking',
    to: provider.email,
    recipientId: provider.id,
    subject: 'Zebedee Quartermaine booked Singing for wellbeing',
    text: `Zebedee Quartermaine (${subject.email}) booked a place. Also booked: Priya Colleague.`,
  });
  await sql`update outbox_messages set html_body = ${'<p>Zebedee Quartermaine booked.</p>'} where dedupe_key = ${`test-provider-${subject.id}`}`.execute(db);
  await recordAudit(db, {
    actorId: coordinator.id,
    action: 'invitation_created',
    subjectType: 'invitation',
    subjectId: 'x',
    details: { email: subject.email, role: 'link_worker' },
    address: '198.51.100.4',
  });
  await recordAudit(db, {
    actorId: subject.id,
    action: 'booking_created',
    subjectType: 'booking',
    subjectId: bookings.upcoming.id,
    details: { sessionId: upcoming.id },
    address: '203.0.113.9',
  });
  await recordAudit(db, {
    actorId: coordinator.id,
    action: 'role_changed',
    subjectType: 'user',
    subjectId: subject.id,
    details: { from: 'link_worker', to: 'link_worker', name: 'Zebedee Quartermaine' },
    address: '198.51.100.4',
  });
  await db
    .insertInto('accountLinks')
    .values({ purpose: 'password_reset', tokenHash: newToken().hash, email: subject.email, userId: subject.id, expiresAt: days(1) })
    .execute();
  await db.insertInto('signInAttempts').values({ email: subject.email, address: '203.0.113.9', succeeded: false }).execute();

  // Their colleagues, whose data must not change.
  const colleagueAttended = await createBooking(
    db,
    attended.id,
    colleague.id,
    booked({ attendance: 'attended', recordedBy: provider.id, confidenceBefore: 5 }),
  );
  await feedback(db, colleagueAttended.id, 'Priya thought it was great', 4);
  const colleagueGarden = await createBooking(db, missed.id, colleague.id, booked({ attendance: 'attended', recordedBy: provider.id }));
  await feedback(db, colleagueGarden.id, null, 3);
  await createBooking(db, attended.id, other.id, booked({ attendance: 'no_show', recordedBy: provider.id }));
  await createBooking(db, upcoming.id, other.id, booked({ status: 'waitlisted' }));
  await createReferralReport(db, colleague.id, gardening.id, month, 2);

  // Signed in (a live session and a sign-in attempt), with two-step sign-in set up.
  const { visitor } = await signedIn(app, db, subject, { withPassword: true });
  await setUpTwoStep(visitor);

  const period = {
    from: DateTime.fromJSDate(days(-60), { zone: 'Europe/London' }).toISODate()!,
    to: DateTime.fromJSDate(days(30), { zone: 'Europe/London' }).toISODate()!,
  };
  return {
    museum,
    garden,
    coordinator,
    secondCoordinator,
    provider,
    subject,
    colleague,
    other,
    singing,
    gardening,
    sessions: { attended, missed, upcoming, cancelledOne },
    bookings,
    visitor,
    period,
  };
}

/** Base tables of the schema, except the migration bookkeeping. */
export async function allTables(db: Db): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
    order by 1`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** How many rows of a table mention any of these values anywhere (id, email, in JSON…), or only in the given columns. */
export async function rowsMentioning(db: Db, table: string, values: string[], columns?: string[]): Promise<number> {
  const haystacks = columns ? columns.map((c) => sql`coalesce(${sql.ref(`t.${c}`)}::text, '')`) : [sql`t::text`];
  const conditions = values.flatMap((v) => haystacks.map((h) => sql`strpos(lower(${h}), lower(${v})) > 0`));
  const row = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} t where ${sql.join(conditions, sql` or `)}`.execute(db);
  return row.rows[0]!.n;
}

/** Every text, varchar and jsonb value in the database that contains the given text (any case). */
export async function findText(db: Db, needle: string): Promise<string[]> {
  const columns = await sql<{ tableName: string; columnName: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and table_name not like 'kysely_%'
      and data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
    order by 1, 2`.execute(db);
  const found: string[] = [];
  for (const { tableName, columnName } of columns.rows) {
    const rows = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(tableName)} where strpos(lower(${sql.ref(columnName)}::text), lower(${needle})) > 0`.execute(db);
    if (rows.rows[0]!.n > 0) found.push(`${tableName}.${columnName} (${rows.rows[0]!.n})`);
  }
  return found;
}
