import path from 'node:path';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { projectRoot } from '../lib/project-root.ts';
import { viewHelpers } from '../lib/view-helpers.ts';
import { navigation } from '../web/navigation.ts';

export const viewsFolder = path.join(projectRoot, 'views');

/** Eta templates. Pages name their layout themselves, so an htmx fragment is a page without one. */
export const views = fp(async (app: FastifyInstance) => {
  const production = app.config.env === 'production';
  await app.register(view, {
    engine: { eta: new Eta({ views: viewsFolder, cache: production, autoEscape: true, autoTrim: false }) },
    root: viewsFolder,
    production,
    defaultContext: { h: viewHelpers, navigation },
  });
});
