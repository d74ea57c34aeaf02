/**
 * `/healthz` (the process serves) and `/readyz` (can serve logins: keys loaded, store reachable
 * and accepting writes, not shutting down), on the public port for the load balancer and the
 * orchestrator. WeCom is deliberately not probed: an upstream outage must not take every replica
 * out of the load balancer. (`/metrics` has a listener of its own: metrics-server.ts.)
 */
import type { FastifyInstance } from 'fastify';
import type { BridgeContext } from '../context.js';
import { isStoreFull } from '../store/store.js';
import { forwardedFor } from './client-address.js';

const STORE_PING_TIMEOUT_MS = 1000;

/** Registers the probes. */
export function registerHealth(app: FastifyInstance, context: BridgeContext): void {
  app.get('/healthz', { config: { errorMode: 'json' } }, async (request, reply) =>
    reply.header('cache-control', 'no-store').header(FORWARDED_HEADER, forwardedFor(request)).send({ status: 'ok' }),
  );
  app.get('/readyz', { config: { errorMode: 'json' } }, async (_request, reply) => {
    const checks = {
      keys: context.keys.currentKid ? 'ok' : 'missing',
      store: await pingStore(context),
      lifecycle: context.lifecycle.shuttingDown ? 'shutting_down' : 'ok',
    };
    const ready = Object.values(checks).every((value) => value === 'ok');
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ok' : 'unavailable', checks });
  });
}

async function pingStore(context: BridgeContext): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STORE_PING_TIMEOUT_MS);
  });
  const ping = context.store.ping().then(
    () => 'ok',
    (error: unknown) => (isStoreFull(error) ? 'full' : 'unreachable'),
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The header in which `/healthz` says what came of the request's X-Forwarded-For (client-address.ts
 * `forwardedFor`), for `npm run doctor` calling through the reverse proxy. It reveals nothing else.
 */
export const FORWARDED_HEADER = 'x-bridge-forwarded-for';
