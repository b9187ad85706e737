/** An Open Referral object as we build it: plain JSON. */
export type Json = Record<string, unknown>;

/** The object without its empty fields: the profile's schemas forbid null, and "" says nothing. */
export function present<T extends Json>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null && value !== '')) as T;
}
