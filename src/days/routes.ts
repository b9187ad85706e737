import type { FastifyInstance } from 'fastify';
import { dayBuildRoutes } from './build-routes.ts';
import { dayRoutes } from './day-routes.ts';
import { dayFeedbackRoutes } from './feedback-routes.ts';
import { dayProposalRoutes } from './proposal-routes.ts';
import { dayRegistrationRoutes } from './registration-routes.ts';
import { dayReportRoutes } from './report-routes.ts';

/** Taster days (issue 15): building a day, its pages, registering and the participant list. */
export async function tasterDayRoutes(app: FastifyInstance) {
  await app.register(dayRoutes);
  await app.register(dayBuildRoutes);
  await app.register(dayRegistrationRoutes);
  await app.register(dayFeedbackRoutes);
  await app.register(dayReportRoutes);
  await app.register(dayProposalRoutes);
}
