import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../lib/errors.ts';

/** The one shape of a record's address: /things/:id, where the id is a uuid. */
export const idParams = z.object({ id: z.uuid() });

/**
 * A page's path parameters, parsed by its schema: anything else is an address no page has, so the
 * person gets the not-found page (never a 400 or a failure for a mistyped link).
 */
export function paramsOf<S extends z.ZodType>(schema: S, request: Pick<FastifyRequest, 'params'>): z.output<S> {
  const parsed = schema.safeParse(request.params);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}
