/**
 * Logging: pino JSON, one line per request, nothing secret.
 *
 * fastify's default request log prints the full URL, whose query carries codes, states and
 * tokens; it is switched off and replaced by one `request` line with the route template and the
 * path only. Redaction (log-redaction.ts) is the second line of defence for anything logged by
 * accident.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, LoggerOptions } from 'pino';
import { randomHex } from '../crypto/secrets.js';
import { clientAddress } from './client-address.js';
import { redactSecrets } from './log-redaction.js';

/** pino options for the service. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'wecom-oidc-bridge' },
    // Secret-named values are blanked in every logged object (http/log-redaction.ts).
    formatters: { log: redactSecrets },
    // redactSecrets has already serialized errors; pino's serializer would serialize them again.
    serializers: { err: keepSerialized },
  };
}

function keepSerialized(value: unknown): unknown {
  return value;
}

/**
 * fastify's `childLoggerFactory`: each request's child logger, with its bindings redacted like a
 * logged object (pino's `formatters.log` does not see a child's bindings).
 */
export function redactedChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return logger.child(redactSecrets(bindings), options);
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Request id: a caller's `x-request-id` is reused only when it is short and plain (it ends up in
 * logs and pages); otherwise a fresh one is made.
 */
export function requestIdFor(request: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomHex(8);
}

/**
 * Probe routes, logged at debug level only so that they do not flood the log. (Scrapes of
 * /metrics reach the metrics listener, which logs none.)
 */
const QUIET_ROUTES = new Set(['/healthz', '/readyz']);

/**
 * Adds the one-line request log and the `x-request-id` echo. (Callback-style hooks: an async hook
 * costs every request a promise and a microtask, and these do nothing asynchronous.)
 */
export function installRequestLogging(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const fields = {
      method: request.method,
      route,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      // The client's address: from X-Forwarded-For only when TRUST_PROXY trusts the hop it came from.
      ip: clientAddress(request),
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (QUIET_ROUTES.has(route)) request.log.debug(fields, 'request');
    else request.log.info(fields, 'request');
    done();
  });
}

/** The route template (`/authorize`), or `unmatched`; never the raw URL. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}
