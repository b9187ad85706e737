import type { FastifyInstance } from 'fastify';
import { dayBuildRoutes } from './build-routes.ts';
import { dayContactsRoutes } from './contacts-routes.ts';
import { dayRoutes } from './day-routes.ts';
import { dayDiscussionRoutes } from './discussion-routes.ts';
import { dayEditRoutes } from './edit-routes.ts';
import { dayFeedbackRoutes } from './feedback-routes.ts';
import { dayProposalRoutes } from './proposal-routes.ts';
import { dayRegisterRoutes } from './register-routes.ts';
import { dayRegistrationRoutes } from './registration-routes.ts';
import { dayReleaseRoutes } from './release-routes.ts';
import { dayReportRoutes } from './report-routes.ts';

/** Taster days (issue 15): building and changing a day, registering, on the day, and afterwards. */
export async function tasterDayRoutes(app: FastifyInstance) {
  await app.register(dayRoutes);
  await app.register(dayBuildRoutes);
  await app.register(dayRegistrationRoutes);
  await app.register(dayRegisterRoutes);
  await app.register(dayDiscussionRoutes);
  await app.register(dayContactsRoutes);
  await app.register(dayEditRoutes);
  await app.register(dayReleaseRoutes);
  await app.register(dayFeedbackRoutes);
  await app.register(dayReportRoutes);
  await app.register(dayProposalRoutes);
}
