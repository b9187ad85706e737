import type { FastifyReply } from 'fastify';
import { DomainError } from '../lib/errors.ts';
import type { FieldErrors } from '../lib/forms.ts';

/** Renders a form page: 400 with the messages when there are errors, 200 otherwise. */
export function formPage(reply: FastifyReply, view: string, data: Record<string, unknown> & { errors?: FieldErrors }) {
  const errors = data.errors ?? {};
  return reply.code(Object.keys(errors).length ? 400 : 200).viewAsync(view, { values: {}, ...data, errors });
}

/** A rule that names a field becomes that field's message; any other error carries on to the error handler. */
export function fieldErrorFrom(error: unknown, fallbackField?: string): FieldErrors | null {
  if (!(error instanceof DomainError) || error.code === 'not_found' || error.code === 'forbidden') return null;
  const field = error.field ?? fallbackField;
  return field ? { [field]: error.message } : null;
}

/** A "done" code from a redirect, turned into the success message for the page it lands on. */
export function flashFor(query: unknown, messages: Record<string, string>): string | undefined {
  const done = (query as Record<string, unknown> | undefined)?.done;
  return typeof done === 'string' ? messages[done] : undefined;
}
