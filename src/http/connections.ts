/**
 * Bounds on client connections: how long a request may take to arrive, how long an idle
 * keep-alive connection stays, how many connections may be open.
 *
 * Without them one client can hold a connection indefinitely by sending a byte every few seconds
 * (a dripped body or slowloris headers): fastify disables Node's request timeout by default.
 * Here Node's HTTP server enforces REQUEST_TIMEOUT for the whole request (headers included) and
 * answers 408 through `client-errors.ts`; Node checks its connections every second (its default,
 * 30 s, would let a cut-off come up to 30 s late); MAX_CONNECTIONS makes the server close
 * connections beyond the limit as soon as they are accepted.
 */
import type { Server } from 'node:http';
import type { ConnectionConfig } from '../config/types.js';

/**
 * Idle keep-alive connections stay this long: above the idle timeout of common load balancers
 * and proxies (60 s), so that they, not the bridge, close a pooled connection (closing it from
 * this side can race a request the proxy is just sending). Idle connections count against
 * MAX_CONNECTIONS.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** How often Node looks for requests past their timeout. */
const CHECK_INTERVAL_MS = 1000;

/** The fastify (and Node `http.createServer`) options for `limits`. */
export function connectionOptions(limits: ConnectionConfig) {
  const requestTimeout = limits.requestTimeout * 1000;
  return {
    requestTimeout,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Read when Node creates the server: headers get no more time than the whole request.
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: CHECK_INTERVAL_MS },
  };
}

/** Applies MAX_CONNECTIONS to the server (0 = no limit). */
export function limitConnections(server: Server, limits: ConnectionConfig): void {
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
}
