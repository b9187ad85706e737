/**
 * Something the demo's own script put there: a named person, session or row it has just inserted.
 * Missing, it is a mistake in the script, and the demo stops saying what it could not find.
 */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`Demo data: ${what} is missing`);
  return value;
}
