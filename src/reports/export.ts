import type { Readable } from 'node:stream';
import type { Queryable } from '../db/database.ts';
import { categoryNames } from '../db/tables/publishing.ts';
import { type CsvColumn, csvStream } from './csv.ts';
import { NO_OFFER, NO_OFFER_LABEL } from './day-tasters.ts';
import * as q from './export-queries.ts';
import { organisationKindNames, type ReportFilters } from './filters.ts';

export const EXPORT_PAGE_SIZE = 1000;

type Row = Record<string, unknown>;

const sessionColumns: Array<CsvColumn<Row>> = [
  { key: 'bookingId', header: 'Booking reference' },
  { key: 'sessionId', header: 'Session reference' },
  { key: 'sessionStart', header: 'Session start (London time)' },
  { key: 'sessionEnd', header: 'Session end (London time)' },
  { key: 'activity', header: 'Activity' },
  { key: 'category', header: 'Category' },
  { key: 'organisation', header: 'Organisation' },
  { key: 'organisationKind', header: 'Kind of organisation' },
  { key: 'linkWorkerRef', header: 'Link worker reference' },
  { key: 'practice', header: 'Practice' },
  { key: 'pcn', header: 'PCN' },
];

// A taster of a taster day stands in a row like a session's, the day named in this last column
// (blank for a session): last, so spreadsheets built on the earlier columns still read them.
const tasterDayColumn: CsvColumn<Row> = { key: 'tasterDay', header: 'Taster day' };

const fiveAColumns: Array<CsvColumn<Row>> = ['accessible', 'appropriate', 'adequate', 'affordable', 'available'].map((a) => ({
  key: a,
  header: `${a.charAt(0).toUpperCase()}${a.slice(1)} (1-5, blank = don't know)`,
}));

const attendanceNames: Record<string, string> = { attended: 'Attended', no_show: 'Did not attend' };

/** Codes to words, and cursor columns out: what a person reading the spreadsheet needs. */
function present(row: Row): Row {
  const { cursorStartsAt: _s, cursorMonth: _m, sortAt: _o, ...rest } = row;
  if (rest.category === NO_OFFER) rest.category = NO_OFFER_LABEL;
  else if (typeof rest.category === 'string') rest.category = categoryNames[rest.category as keyof typeof categoryNames] ?? rest.category;
  if (typeof rest.organisationKind === 'string') {
    rest.organisationKind = organisationKindNames[rest.organisationKind as keyof typeof organisationKindNames] ?? rest.organisationKind;
  }
  if (typeof rest.attendance === 'string') rest.attendance = attendanceNames[rest.attendance] ?? rest.attendance;
  return rest;
}

type Page = (db: Queryable, f: ReportFilters, after: unknown, limit: number) => Promise<Row[]>;

const sessionCursor = (row: Row): q.SessionCursor => ({
  startsAt: row.cursorStartsAt as string,
  sessionId: row.sessionId as string,
  bookingId: row.bookingId as string,
});

export const exportDefinitions: Record<q.ExportKind, { page: Page; cursor: (row: Row) => unknown; columns: Array<CsvColumn<Row>> }> = {
  bookings: {
    page: q.bookingsPage as Page,
    cursor: sessionCursor,
    columns: [
      ...sessionColumns,
      { key: 'status', header: 'Booking status' },
      { key: 'walkIn', header: 'Walk-in' },
      { key: 'requestedAt', header: 'Requested' },
      { key: 'waitlistedAt', header: 'Joined waiting list' },
      { key: 'confirmedAt', header: 'Place confirmed' },
      { key: 'cancelledAt', header: 'Cancelled' },
      { key: 'attendance', header: 'Attendance' },
      { key: 'confidenceBefore', header: 'Confidence before (0-10)' },
      tasterDayColumn,
    ],
  },
  attendance: {
    page: q.attendancePage as Page,
    cursor: sessionCursor,
    columns: [
      ...sessionColumns,
      { key: 'attendance', header: 'Attendance' },
      { key: 'walkIn', header: 'Walk-in' },
      { key: 'recordedAt', header: 'Recorded' },
      tasterDayColumn,
    ],
  },
  feedback: {
    page: q.feedbackPage as Page,
    cursor: sessionCursor,
    columns: [
      ...sessionColumns,
      { key: 'confidenceBefore', header: 'Confidence before (0-10)' },
      { key: 'confidenceAfter', header: 'Confidence after (0-10)' },
      { key: 'confidenceChange', header: 'Confidence change' },
      { key: 'rating', header: 'Rating (1-5)' },
      ...fiveAColumns,
      { key: 'intendsToRefer', header: 'Intends to refer' },
      { key: 'referringEasier', header: 'What would make referring easier' },
      { key: 'comments', header: 'Comments' },
      { key: 'submittedAt', header: 'Given' },
      { key: 'updatedAt', header: 'Last changed' },
      tasterDayColumn,
    ],
  },
  referrals: {
    page: q.referralsPage as Page,
    cursor: (row) => ({ month: row.cursorMonth as string, id: row.id as string }),
    columns: [
      { key: 'id', header: 'Report reference' },
      { key: 'month', header: 'Month' },
      { key: 'activity', header: 'Activity' },
      { key: 'category', header: 'Category' },
      { key: 'organisation', header: 'Organisation' },
      { key: 'organisationKind', header: 'Kind of organisation' },
      { key: 'linkWorkerRef', header: 'Link worker reference' },
      { key: 'practice', header: 'Practice' },
      { key: 'pcn', header: 'PCN' },
      { key: 'referrals', header: 'People referred' },
      { key: 'createdAt', header: 'Recorded' },
      { key: 'updatedAt', header: 'Last changed' },
    ],
  },
};

export type ExportOptions = { pageSize?: number; onPage?: (rows: number) => void };

/** The rows of an export, fetched one page at a time as the reader asks for them. */
export async function* exportRows(db: Queryable, kind: q.ExportKind, f: ReportFilters, options: ExportOptions = {}): AsyncGenerator<Row> {
  const definition = exportDefinitions[kind];
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  let after: unknown = null;
  for (;;) {
    const page = await definition.page(db, f, after, pageSize);
    options.onPage?.(page.length);
    for (const row of page) yield present(row);
    const last = page.at(-1);
    if (page.length < pageSize || last === undefined) return;
    after = definition.cursor(last);
  }
}

/** An export as a CSV stream, for the response to pipe out. */
export function exportCsv(db: Queryable, kind: q.ExportKind, f: ReportFilters, options: ExportOptions = {}): Readable {
  return csvStream(exportRows(db, kind, f, options), exportDefinitions[kind].columns);
}
