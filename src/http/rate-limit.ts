/**
 * Rate limits on `/authorize` and `/token`, per source address and per client, with
 * `@fastify/rate-limit` (fixed windows; counters in Redis when the store is Redis, so every
 * replica counts together; in memory otherwise).
 *
 * Routes opt in with `config.limit` (`authorize` or `token`); the check runs before the handler
 * and an exceeded limit is a {@link BridgeError} with status 429, so it is answered in the route's
 * own format (a page at /authorize, OAuth JSON at /token) with `Retry-After`.
 *
 * The per-client counter keys on the client_id as sent, before authentication: anyone can spend a
 * client's budget, which is why its default is high; the per-address limit is the one that stops
 * a single abuser. Unregistered ids share one counter, so junk ids cannot grow the counter set.
 * Counter keys end in `<endpoint>:ip:<address>` or `<endpoint>:client:id:<client_id>`, under
 * `rate-limit:` (and REDIS_KEY_PREFIX in Redis; the plugin inserts its own segment between).
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { RedisStore } from '../store/redis.js';
import { storeUnavailable, type Store } from '../store/store.js';

/** The rate-limited endpoints. */
export type LimitedEndpoint = 'authorize' | 'token';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Applies the rate limits of this endpoint. */
    limit?: LimitedEndpoint;
  }
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** One counter: its maximum and its limiter (which knows its key). */
interface Counter {
  readonly max: number;
  readonly limiter: Limiter;
}

/**
 * Registers the plugin and the hook. Must be awaited before routes are registered (the plugin
 * decorates the instance). `backend` is the configured store itself (not the timing wrapper of
 * `context.store`): when it is Redis, the counters share its connection, so every replica counts
 * the same requests.
 */
export async function installRateLimits(app: FastifyInstance, context: BridgeContext, backend: Store): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    nameSpace: 'rate-limit:',
    ...(backend instanceof RedisStore ? { redis: backend.client } : {}),
  });
  const limits = context.config.rateLimit;
  const clientId = (request: FastifyRequest): string => registeredOrBucket(context, clientIdOf(request));
  const counters: Record<LimitedEndpoint, Counter[]> = {
    authorize: countersFor(app, limits, 'authorize', clientId),
    token: countersFor(app, limits, 'token', clientId),
  };
  app.addHook('preHandler', async (request, reply) => {
    const endpoint = request.routeOptions.config?.limit;
    if (endpoint === undefined) return;
    for (const counter of counters[endpoint]) await check(counter, request, reply);
  });
}

function countersFor(app: FastifyInstance, limits: RateLimitConfig, endpoint: LimitedEndpoint, clientId: (r: FastifyRequest) => string): Counter[] {
  const perIp = endpoint === 'authorize' ? limits.authorizePerIp : limits.tokenPerIp;
  const perClient = endpoint === 'authorize' ? limits.authorizePerClient : limits.tokenPerClient;
  const timeWindow = limits.windowSeconds * 1000;
  const make = (max: number, key: (request: FastifyRequest) => string): Counter => ({
    max,
    limiter: app.createRateLimit({ max, timeWindow, keyGenerator: key }),
  });
  return [
    ...(perIp > 0 ? [make(perIp, (request) => `${endpoint}:ip:${normalizeIP(request.ip)}`)] : []),
    ...(perClient > 0 ? [make(perClient, (request) => `${endpoint}:client:${clientId(request)}`)] : []),
  ];
}

async function check(counter: Counter, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  let result: Awaited<ReturnType<Limiter>>;
  try {
    result = await counter.limiter(request);
  } catch (error) {
    // Counters in Redis: fail closed like every other store operation of these endpoints.
    throw storeUnavailable(error);
  }
  if (result.isAllowed || !result.isExceeded) return;
  const retryAfter = Math.max(1, result.ttlInSeconds);
  reply.header('retry-after', String(retryAfter)).header('x-ratelimit-limit', String(counter.max)).header('x-ratelimit-remaining', '0');
  throw new BridgeError({
    code: 'temporarily_unavailable',
    status: 429,
    reason: 'rate_limited',
    description: `Too many requests; try again in ${retryAfter} seconds`,
  });
}

/**
 * The client_id a request names, without authenticating it and without throwing (Basic first, as
 * client authentication reads it).
 */
function clientIdOf(request: FastifyRequest): string | undefined {
  const source = (request.method === 'POST' ? request.body : request.query) as Record<string, unknown> | undefined;
  const fromParams = typeof source?.client_id === 'string' ? source.client_id : undefined;
  return basicClientId(request.headers.authorization) ?? fromParams;
}

function basicClientId(header: string | undefined): string | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function registeredOrBucket(context: BridgeContext, id: string | undefined): string {
  return id !== undefined && context.clients.find(id) ? `id:${id}` : 'unregistered';
}
