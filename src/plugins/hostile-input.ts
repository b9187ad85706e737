import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HostileInputError } from '../lib/errors.ts';
import { type InputProblem, isReadableEncoding, problemInFields, problemInParams } from '../lib/input-safety.ts';

/**
 * The edge: every request's path parameters, field names and values are looked at before any
 * route reads them. Hidden characters (NUL and other control codes, half surrogate pairs), text
 * that is not valid UTF-8 and values far longer than any field get a 400 page and reach nothing.
 *
 * A route whose handler parses its query or form with `parseForm` first says so with
 * `config: fieldsChecked`: its values go on to the schema, which puts the message next to the
 * field (and refuses hidden characters in fields it does not know; see lib/forms.ts). Every other
 * route, and every route added without saying so, is covered here.
 */
export const hostileInput = fp(async (app: FastifyInstance) => {
  app.addHook('preValidation', async (request) => {
    if (request.is404) return;
    // A route that checks its fields parses the query on a GET, the form body otherwise.
    const checks = request.routeOptions.config.checksFields === true;
    const parsesQuery = checks && (request.method === 'GET' || request.method === 'HEAD');
    const problem = inputProblem(request, { query: !parsesQuery, form: !(checks && !parsesQuery) });
    if (!problem) return;
    request.log.info({ input: problem }, 'hostile input refused at the edge');
    throw new HostileInputError(problem.where === 'address' ? 'address' : problem.problem);
  });
});

/** Route config for a handler that parses its query or form with `parseForm` before doing anything. */
export const fieldsChecked = { config: { checksFields: true } } as const;

/** The first problem with a request's input; `values` says whose field values are looked at too (names always are). */
export function inputProblem(request: FastifyRequest, values = { query: true, form: true }): InputProblem | null {
  const start = request.url.indexOf('?');
  if (start >= 0 && !isReadableEncoding(request.url.slice(start + 1))) return { where: 'query', field: '', problem: 'unreadable' };
  return problemInParams(request.params) ?? problemInFields('query', request.query, values.query) ?? problemInFields('form', request.body, values.form);
}
