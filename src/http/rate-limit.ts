/**
 * Rate limits on `/authorize` and `/token`, per source address and per client, and on `/logout`
 * per source address: fixed windows of
 * RATE_LIMIT_WINDOW seconds, counted in the store (Redis when configured, so every replica counts
 * together; memory otherwise, within its caps).
 *
 * Routes opt in with `config.limit` (`authorize`, `token` or `logout`); the check runs before the handler
 * and an exceeded limit is a {@link BridgeError} with status 429, so it is answered in the route's
 * own format (a page at /authorize, OAuth JSON at /token) with `Retry-After`.
 *
 * Both counters of a request are checked in one atomic store step ({@link Store.hit}), address
 * first: a request the per-address limit refuses is not charged to the client, so one abuser
 * cannot spend the budget everybody shares. The per-client counter keys on the client_id as sent,
 * before authentication: anyone can spend it, which is why its default is high. Unregistered ids
 * share one counter, so junk ids cannot grow the counter set. Keys:
 * `rate-limit:<endpoint>:ip:<address>` (IPv6 by /64) and `rate-limit:<endpoint>:client:id:<client_id>`.
 */
import { isIPv6 } from 'node:net';
import { Address6 } from 'ip-address';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { storeKey, type HitCounter } from '../store/store.js';

/** The rate-limited endpoints. */
export type LimitedEndpoint = 'authorize' | 'token' | 'logout';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Applies the rate limits of this endpoint. */
    limit?: LimitedEndpoint;
  }
}

/**
 * Gives every route with `config.limit` a preHandler that applies its limits. Only those routes
 * get one: a global hook would cost every other request a promise and a microtask for nothing.
 * Must run before the routes are registered.
 */
export function installRateLimits(app: FastifyInstance, context: BridgeContext): void {
  const limits = context.config.rateLimit;
  const limiter = async (request: FastifyRequest, reply: FastifyReply) => {
    const endpoint = request.routeOptions.config?.limit;
    if (endpoint === undefined) return;
    const counters = countersOf(limits, endpoint, request, context);
    if (counters.length === 0) return;
    const result = await context.store.hit(counters, limits.windowSeconds);
    if (result.allowed) return;
    const { retryAfterSeconds } = result;
    reply
      .header('retry-after', String(retryAfterSeconds))
      .header('x-ratelimit-limit', String(counters[result.index]!.max))
      .header('x-ratelimit-remaining', '0');
    throw new BridgeError({
      code: 'temporarily_unavailable',
      status: 429,
      reason: 'rate_limited',
      description: `Too many requests; try again in ${retryAfterSeconds} seconds`,
    });
  };
  app.addHook('onRoute', (route) => {
    if (route.config?.limit === undefined) return;
    const existing = route.preHandler === undefined ? [] : [route.preHandler].flat();
    route.preHandler = [...existing, limiter];
  });
}

/** The counters a request is charged to, the per-address one first (a limit of 0 is off). */
function countersOf(limits: RateLimitConfig, endpoint: LimitedEndpoint, request: FastifyRequest, context: BridgeContext): HitCounter[] {
  const perIp = { authorize: limits.authorizePerIp, token: limits.tokenPerIp, logout: limits.logoutPerIp }[endpoint];
  // /logout is limited per address only: its client_id is optional and anyone's to send.
  const perClient = { authorize: limits.authorizePerClient, token: limits.tokenPerClient, logout: 0 }[endpoint];
  const counters: HitCounter[] = [];
  if (perIp > 0) counters.push({ key: storeKey('rate-limit', `${endpoint}:ip:${addressKey(request.ip)}`), max: perIp });
  if (perClient > 0) {
    const client = registeredOrBucket(context, clientIdOf(request));
    counters.push({ key: storeKey('rate-limit', `${endpoint}:client:${client}`), max: perClient });
  }
  return counters;
}

/**
 * The address a counter keys on: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 by its /64
 * (one host usually holds a whole /64, so counting single addresses would be no limit at all).
 */
function addressKey(ip: string): string {
  if (!isIPv6(ip)) return ip.toLowerCase();
  try {
    const address = new Address6(ip);
    if (address.isMapped4()) return address.to4().correctForm();
    return new Address6(`${address.correctForm()}/64`).startAddress().correctForm();
  } catch {
    // Node accepts forms ip-address does not (zone ids): count that address on its own.
    return ip.toLowerCase();
  }
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
