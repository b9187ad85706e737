import type { Readable } from 'node:stream';
import type { Queryable } from '../db/database.ts';
import { renderPendingMessages } from '../delivery/render.ts';
import { NotFoundError } from '../lib/errors.ts';
import { csvDateTime, csvStream } from '../reports/csv.ts';
import * as days from './day-queries.ts';
import * as q from './queries.ts';

export type ExportSection = { name: string; title: string; rows: Array<Record<string, unknown>> };
export type PersonalData = { exportedAt: Date; personId: string; sections: ExportSection[] };

// Read by a section of its own above: the generic pass below leaves these columns out.
const covered = new Set([
  'users.id',
  'bookings.user_id',
  'referral_reports.user_id',
  'audit_events.actor_id',
  'login_sessions.user_id',
  'account_links.user_id',
  'outbox_messages.recipient_id',
  'calendar_feeds.user_id',
  'two_step_credentials.user_id',
  'two_step_recovery_codes.user_id',
  'sign_in_identities.user_id',
  'bookings.booked_by',
  'day_registrations.user_id',
  'day_discussion_notes.author_id',
  'taster_days.created_by',
  'session_broadcasts.sent_by',
]);

// Never in a download, even from a table found by the generic pass.
const secretColumn = /hash|secret|token|password|^data$/i;

function withoutSecrets(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => !secretColumn.test(key)));
}

const titles = {
  account: 'Your account',
  twoStep: 'Two-step sign-in',
  bookings: 'Bookings and attendance',
  feedback: 'Feedback',
  missedSessionAnswers: 'What got in the way of sessions you missed',
  referralReports: 'Referral reports',
  auditEntries: 'Audit trail entries by you or about you',
  signInAttempts: 'Sign-in attempts with your email address',
  loginSessions: 'Signed-in sessions',
  accountLinks: 'Invitation, confirmation and password reset links',
  messages: 'Emails sent to you',
  calendarFeed: 'Calendar feed',
  signInProviders: 'NHS accounts you sign in with (NHSmail, CIS2)',
  bookingsMadeForOthers: 'Places you booked for colleagues',
  dayRegistrations: 'Taster days you registered for',
  dayTasterChoices: 'Tasters you chose on taster days',
  dayFeedback: 'Feedback on taster days and their tasters',
  dayDiscussionNotes: "Notes you added to a taster day's discussion",
  dayProposals: 'Taster days you created or proposed',
  sessionMessages: 'Messages you sent to the people on a session',
} satisfies Record<string, string>;

type SectionName = keyof typeof titles;

/** The same sections as a coordinator reads them about someone else: "you" would mean the coordinator. */
const titlesAboutThem: Record<SectionName, string> = {
  ...titles,
  account: 'Their account',
  missedSessionAnswers: 'What got in the way of sessions they missed',
  auditEntries: 'Audit trail entries by them or about them',
  signInAttempts: 'Sign-in attempts with their email address',
  messages: 'Emails sent to them',
  signInProviders: 'NHS accounts they sign in with (NHSmail, CIS2)',
  bookingsMadeForOthers: 'Places they booked for colleagues',
  dayRegistrations: 'Taster days they registered for',
  dayTasterChoices: 'Tasters they chose on taster days',
  dayDiscussionNotes: "Notes they added to a taster day's discussion",
  dayProposals: 'Taster days they created or proposed',
  sessionMessages: 'Messages they sent to the people on a session',
};

/** A section's title for a coordinator acting on someone's request (generic sections keep theirs). */
export function titleAboutThem(section: ExportSection): string {
  return section.name in titlesAboutThem ? titlesAboutThem[section.name as SectionName] : section.title;
}

/** Everything held about one person, section by section. */
export async function collectPersonalData(db: Queryable, personId: string, now = new Date()): Promise<PersonalData> {
  const account = await q.accountOf(db, personId);
  if (!account) throw new NotFoundError();
  const { email } = account;
  // Emails queued as facts and not yet written by the delivery worker are written now, as they will be sent.
  await renderPendingMessages(db, { recipientId: personId });
  const named: Record<SectionName, Array<Record<string, unknown>>> = {
    account: [account],
    twoStep: await q.twoStepOf(db, personId),
    bookings: await q.bookingsOf(db, personId),
    feedback: await q.feedbackOf(db, personId),
    missedSessionAnswers: await q.missedSessionAnswersOf(db, personId),
    referralReports: await q.referralReportsOf(db, personId),
    auditEntries: await q.auditEntriesOf(db, personId, email),
    signInAttempts: await q.signInAttemptsOf(db, email),
    loginSessions: await q.loginSessionsOf(db, personId),
    accountLinks: await q.accountLinksOf(db, personId, email),
    messages: await q.messagesTo(db, personId, email),
    calendarFeed: await q.calendarFeedOf(db, personId),
    signInProviders: await q.signInIdentitiesOf(db, personId),
    bookingsMadeForOthers: await days.bookingsMadeForOthersBy(db, personId),
    dayRegistrations: await days.dayRegistrationsOf(db, personId),
    dayTasterChoices: await days.dayTasterChoicesOf(db, personId),
    dayFeedback: await days.dayFeedbackOf(db, personId),
    dayDiscussionNotes: await days.dayDiscussionNotesOf(db, personId),
    dayProposals: await days.daysCreatedBy(db, personId),
    sessionMessages: await days.sessionMessagesSentBy(db, personId),
  };
  const sections: ExportSection[] = Object.entries(named).map(([name, rows]) => ({
    name,
    // Object.entries widens the keys of named to string; they are its SectionName keys.
    title: titles[name as SectionName],
    rows,
  }));
  // Anything else that names them: preferences, sessions they published, registers they kept…
  for (const reference of await q.userReferences(db)) {
    if (covered.has(`${reference.table}.${reference.column}`)) continue;
    const rows = await q.rowsReferring(db, reference, personId);
    sections.push({
      name: `${reference.table}.${reference.column}`,
      title: `Records in ${reference.table.replace(/_/g, ' ')} (${reference.column.replace(/_/g, ' ')})`,
      rows: rows.map(withoutSecrets),
    });
  }
  return { exportedAt: now, personId, sections };
}

/** The download as JSON: one key per section. */
export function personalDataJson(data: PersonalData): string {
  return JSON.stringify(
    {
      exportedAt: data.exportedAt.toISOString(),
      personId: data.personId,
      sections: Object.fromEntries(data.sections.map((s) => [s.name, { title: s.title, rows: s.rows }])),
    },
    null,
    2,
  );
}

type CsvRow = { section: string; record: number; field: string; value: string };

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return csvDateTime(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The download as one CSV: sections have different columns, so each value is a line of its own
 * (section, record number, field, value), which any spreadsheet can filter and pivot.
 */
export function personalDataCsv(data: PersonalData): Readable {
  const rows: CsvRow[] = [];
  for (const section of data.sections) {
    section.rows.forEach((row, index) => {
      for (const [field, value] of Object.entries(row)) rows.push({ section: section.title, record: index + 1, field, value: csvValue(value) });
    });
  }
  return csvStream(rows, [
    { key: 'section', header: 'Section' },
    { key: 'record', header: 'Record' },
    { key: 'field', header: 'Field' },
    { key: 'value', header: 'Value' },
  ]);
}
