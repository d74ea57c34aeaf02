/**
 * Per-address rate limits on `/authorize`, `/token` and `/logout`: fixed windows of
 * RATE_LIMIT_WINDOW seconds, counted in the store (Redis when configured, so every replica counts
 * together; memory otherwise, within its caps).
 *
 * Routes opt in with `config.limit` (`authorize`, `token` or `logout`); the check runs before the handler
 * and an exceeded limit is a {@link BridgeError} with status 429, so it is answered in the route's
 * own format (a page at /authorize, OAuth JSON at /token) with `Retry-After`.
 *
 * Nothing here is counted per client: a client id is public (it is in every authorization URL),
 * so a counter keyed on the id as sent would let anyone spend the budget of every employee of
 * that client. `/authorize` cannot authenticate anybody and is limited per address only; the
 * token endpoint's per-client budget is charged only after the client authenticated, and failed
 * authentications have limits of their own (src/oidc/client-limits.ts). Keys:
 * `rate-limit:<endpoint>:ip:<address>`, the address validated and IPv6 counted by /64
 * (client-address.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { type HitCounter, storeKey } from '../store/store.js';
import { addressKey } from './client-address.js';

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
    const counters = countersOf(limits, endpoint, request);
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

/** The per-address counter of `endpoint` (none when its limit is 0). */
function countersOf(limits: RateLimitConfig, endpoint: LimitedEndpoint, request: FastifyRequest): HitCounter[] {
  const perIp = { authorize: limits.authorizePerIp, token: limits.tokenPerIp, logout: limits.logoutPerIp }[endpoint];
  return perIp > 0 ? [{ key: storeKey('rate-limit', `${endpoint}:ip:${addressKey(request)}`), max: perIp }] : [];
}
