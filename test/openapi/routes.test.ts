/**
 * Every route the server registers is described in openapi.yaml, and every path of openapi.yaml
 * is a route. Routes are read from the built app (fastify's printRoutes), so a new route without
 * documentation, or documentation of a route that is gone, fails here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { validEnv } from '../helpers/env.js';
import { PENDING_OPERATIONS } from './pending.js';
import { loadSpec, specOperations } from './spec.js';

const PENDING = PENDING_OPERATIONS;

/**
 * `"GET /authorize"` for every route of the app and of its metrics listener; HEAD is fastify's
 * automatic twin of GET.
 */
async function appRoutes(): Promise<string[]> {
  const config = loadConfig(
    validEnv({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'routes-key-')),
      LOG_LEVEL: 'silent',
      // Events on: /wecom/events exists only then.
      WECOM_CALLBACK_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
      WECOM_CALLBACK_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    }),
  );
  const { app, metricsApp } = await buildApp(config);
  try {
    await app.ready();
    await metricsApp!.ready();
    return [...routesOf(app), ...routesOf(metricsApp!)].sort();
  } finally {
    await app.close();
  }
}

/** The routes of one ready app, from fastify's printRoutes. */
function routesOf(app: FastifyInstance): string[] {
  const routes: string[] = [];
  // printRoutes draws a tree: each level of indentation (4 characters) continues its parent's path.
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\/\S*)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    parents.length = depth;
    const path = `${parents.join('')}${match[2]!}`;
    parents.push(match[2]!);
    if (!match[3]) continue;
    const documentedPath = path.replace(/:(\w+)(\([^)]*\))?/g, '{$1}');
    for (const method of match[3].split(', ')) if (method !== 'HEAD') routes.push(`${method} ${documentedPath}`);
  }
  return routes;
}

describe('openapi.yaml against the routes', () => {
  it('describes every route, and every described operation is a route (or pending)', async () => {
    const routes = await appRoutes();
    expect(routes.length).toBeGreaterThan(5);
    const documented = specOperations(loadSpec()).sort();
    expect(
      routes.filter((route) => !documented.includes(route)),
      'routes missing from openapi.yaml',
    ).toEqual([]);
    expect(
      documented.filter((op) => !routes.includes(op) && !PENDING.includes(op)),
      'operations without a route',
    ).toEqual([]);
  });

  it('lists as pending only operations that have no route yet (remove them once they exist)', async () => {
    const routes = await appRoutes();
    expect(PENDING.filter((op) => routes.includes(op))).toEqual([]);
  });
});
