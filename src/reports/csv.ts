import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { DateTime } from 'luxon';

export type CsvColumn<Row> = { key: keyof Row & string; header: string };

/**
 * A spreadsheet treats a cell that starts with =, +, -, @, a tab or a carriage return as a formula
 * (CSV injection): such text gets a leading apostrophe, so it shows as typed and never runs.
 * Numbers are written as numbers: a negative number is data, not a formula.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** London date and time, as spreadsheets read them: 2027-04-01 00:30. */
export function csvDateTime(value: Date): string {
  return DateTime.fromJSDate(value, { zone: 'Europe/London' }).toFormat('yyyy-MM-dd HH:mm');
}

/**
 * Rows to CSV through csv-stringify, as a stream, each record ending in CRLF. Rows are pulled from the source only as fast as
 * the response is written, so an export of any size holds one page of rows at a time.
 */
export function csvStream<Row extends object>(rows: AsyncIterable<Row> | Iterable<Row>, columns: Array<CsvColumn<Row>>): Readable {
  const stringifier = stringify({
    header: true,
    bom: true,
    // RFC 4180 ends records with CRLF, and Excel on some systems reads LF alone as one long line.
    record_delimiter: 'windows',
    columns: columns.map((c) => ({ key: c.key, header: c.header })),
    cast: {
      string: (value) => neutraliseFormula(value),
      boolean: (value) => (value ? 'yes' : 'no'),
      date: (value) => csvDateTime(value),
      number: (value) => String(value),
    },
  });
  // pipeline destroys both streams on an error (a database failure mid-export ends the response).
  pipeline(Readable.from(rows), stringifier, () => {});
  return stringifier;
}

/** A filename people can recognise in their downloads folder. */
export function csvFilename(...parts: string[]): string {
  return `${parts
    .join('-')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()}.csv`;
}
