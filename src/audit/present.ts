import { viewHelpers as h } from '../lib/view-helpers.ts';
import { actionName } from './actions.ts';
import type { AuditRow } from './queries.ts';

const person = (name: string | null, email: string | null) => (name && email ? `${name} (${email})` : (name ?? email));

/** The few details worth a line on the page, in words. Anything else stays in the database. */
function detailLines(action: string, details: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null);
  if (action === 'role_changed') lines.push(`From ${text(details.from) ?? '?'} to ${text(details.to) ?? '?'}`.replace(/_/g, ' '));
  if (action === 'attendance_recorded') lines.push(details.attendance === 'attended' ? 'Attended' : 'Did not attend');
  if (action === 'message_preferences_changed' && details.via === 'email_link') lines.push('With the “stop these emails” link in an email');
  const reason = text(details.reason);
  if (reason) lines.push(`Reason: ${reason.replace(/_/g, ' ')}`);
  if (text(details.email)) lines.push(`Email: ${text(details.email)}`);
  return lines;
}

/** One line of the audit trail as the page shows it. */
export function toAuditItem(row: AuditRow) {
  const details = row.details && typeof row.details === 'object' ? row.details : {};
  const about: string[] = [];
  if (row.subjectType === 'user') about.push(person(row.subjectName, row.subjectEmail) ?? 'A person whose account was erased');
  if (row.subjectType === 'booking') about.push(person(row.bookingPersonName, row.bookingPersonEmail) ?? 'A person whose account was erased');
  if (row.sessionTitle && row.sessionStartsAt) about.push(`${row.sessionTitle}, ${h.dateTime(row.sessionStartsAt)}`);
  if (about.length === 0 && row.subjectType) about.push(row.subjectType.replace(/_/g, ' '));
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    who: person(row.actorName, row.actorEmail) ?? (row.action === 'sign_in_refused' ? 'Someone not signed in' : 'Tasters (automatic)'),
    action: row.action,
    what: actionName(row.action),
    about,
    sessionId: row.sessionId,
    details: detailLines(row.action, details),
    address: row.address,
  };
}
