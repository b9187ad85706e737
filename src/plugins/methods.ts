import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { pathOf } from '../web/request.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The methods the app answers at this address (HEAD with GET), or null when no route has the
     * address at all. A not-found handler uses it to answer 405 with `Allow` instead of 404.
     */
    allowedMethods(url: string): string[] | null;
  }
}

type Pattern = { matches: RegExp; methods: Set<string> };

/**
 * Every route, as it is registered, goes into a table of address patterns and their methods, so
 * a route added later is covered without anyone listing it. Register this before any route.
 */
export const methodTable = fp(async (app: FastifyInstance) => {
  const patterns = new Map<string, Pattern>();

  app.addHook('onRoute', (route: RouteOptions) => {
    const url = withoutTrailingSlash(route.url);
    let pattern = patterns.get(url);
    if (!pattern) {
      pattern = { matches: compile(url), methods: new Set() };
      patterns.set(url, pattern);
    }
    for (const method of [route.method].flat()) {
      pattern.methods.add(method);
      if (method === 'GET') pattern.methods.add('HEAD');
    }
  });

  app.decorate('allowedMethods', (url: string): string[] | null => {
    const path = withoutTrailingSlash(pathOf(url));
    const methods = new Set<string>();
    for (const pattern of patterns.values()) {
      if (pattern.matches.test(path)) for (const method of pattern.methods) methods.add(method);
    }
    // The open data feed answers OPTIONS anywhere under it (CORS): that alone does not make an address exist.
    if ([...methods].every((method) => method === 'OPTIONS')) return null;
    return [...methods].sort();
  });
});

// The router ignores a trailing slash (routerOptions.ignoreTrailingSlash), so the table does too.
function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** find-my-way's syntax: ":name" is one segment's worth (or part of one), "*" is the rest. */
function compile(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+(?:\([^)]*\))?|\*)/)
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}
