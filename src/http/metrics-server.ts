/**
 * `/metrics` on a listener of its own (METRICS_ADDRESS); on the public port only behind METRICS_TOKEN.
 *
 * The metrics tell a lot about a deployment (login volumes, failure reasons, WeCom errcodes,
 * store sizes), so they are served where only the operator's scraper reaches: loopback by
 * default, or an internal interface; with METRICS_TOKEN a scraper must also send it as a bearer
 * token. This app serves `GET /metrics` and nothing else (404 JSON), with the same connection
 * bounds as the public app. `app.ts` builds it next to the public app, `server.ts` starts it.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Config } from '../config/types.js';
import type { Metrics } from '../context.js';
import { safeEqual } from '../crypto/secrets.js';
import { connectionOptions, limitConnections } from './connections.js';
import { requestIdFor } from './logging.js';

/** The metrics app for `config.metrics`. */
export function buildMetricsApp(config: Config, metrics: Metrics, logger: FastifyBaseLogger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // A scrape every few seconds is no news; failures still reach the log.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    requestIdHeader: false,
    ...connectionOptions(config.connections),
  });
  limitConnections(app.server, config.connections);
  const token = config.metrics?.token;
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-request-id': request.id,
    });
    done();
  });
  app.get('/metrics', metricsHandler(metrics, token));
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: 'invalid_request', error_description: 'There is no such endpoint' }),
  );
  app.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, 'metrics request failed');
    return reply.code(500).send({ error: 'server_error', error_description: 'The metrics could not be collected' });
  });
  return app;
}

/**
 * `GET /metrics`: the registry, behind the bearer `token` when one is set. With METRICS_TOKEN the
 * public app serves it too (the path CONTRACT lists under PUBLIC_URL), always behind the token.
 */
export function metricsHandler(
  metrics: Metrics,
  token: string | undefined,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (request, reply) => {
    if (token !== undefined && !authorized(request, token)) return refuse(reply);
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/** `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time. */
function authorized(request: FastifyRequest, token: string): boolean {
  const match = /^Bearer ([\x21-\x7E]+)$/.exec(request.headers.authorization ?? '');
  return match !== null && safeEqual(match[1]!, token);
}

function refuse(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="wecom-oidc-bridge metrics"')
    .send({ error: 'invalid_token', error_description: 'The metrics need the METRICS_TOKEN bearer token' });
}
