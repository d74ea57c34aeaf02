/**
 * `/healthz` (the process serves), `/readyz` (can serve logins: keys loaded, store reachable,
 * not shutting down) and `/metrics`. WeCom is deliberately not probed: an upstream outage must not
 * take every replica out of the load balancer.
 */
import type { FastifyInstance } from 'fastify';
import type { BridgeContext } from '../context.js';
import { isStoreFull } from '../store/store.js';

const STORE_PING_TIMEOUT_MS = 1000;

/** Registers the probes and the metrics endpoint. */
export function registerHealth(app: FastifyInstance, context: BridgeContext): void {
  app.get('/healthz', { config: { errorMode: 'json' } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
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
  app.get('/metrics', { config: { errorMode: 'json' } }, async (_request, reply) =>
    reply.header('content-type', context.metrics.registry.contentType).send(await context.metrics.registry.metrics()),
  );
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
