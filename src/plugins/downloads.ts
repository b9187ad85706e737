import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Every download (CSV, JSON, calendar files) holds personal or unpublished data: never kept in a
 * shared cache or the browser's. Each download route says so itself; this catches one that forgets.
 */
export const noStoreDownloads = fp(async (app: FastifyInstance) => {
  app.addHook('onSend', async (_request, reply) => {
    const disposition = String(reply.getHeader('content-disposition') ?? '');
    const type = String(reply.getHeader('content-type') ?? '');
    if (disposition.startsWith('attachment') || type.startsWith('text/calendar') || type.startsWith('text/csv')) {
      reply.header('cache-control', 'no-store');
    }
  });
});
