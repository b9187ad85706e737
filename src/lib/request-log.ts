import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * One line a request, written when it is answered: the method, the (redacted) address, the
 * status and the time it took. Fastify's own two lines a request were a measurable share of the
 * find page's cost (issue 12); the line as it arrives is kept at debug level, for following a
 * request that never ends.
 */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
