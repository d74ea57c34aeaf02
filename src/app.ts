/**
 * Builds the fastify application from a configuration. No `listen` here: `server.ts` owns the
 * process (signals, listen, shutdown); tests build the app with their own store, clock and WeCom
 * dispatcher and drive it over real HTTP.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { pino } from 'pino';
import type { Dispatcher } from 'undici';
import type { Config, TrustProxy } from './config/types.js';
import type { BridgeContext, Metrics } from './context.js';
import { clientErrorHandler } from './http/client-errors.js';
import { connectionOptions, limitConnections } from './http/connections.js';
import { cookieJar } from './http/cookies.js';
import { registerDomainVerify } from './http/domain-verify.js';
import { frameworkErrorHandler, installErrorHandling } from './http/error-handler.js';
import { registerHealth } from './http/health.js';
import { installRequestLogging, loggerOptions, redactedChildLogger, requestIdFor, routeOf } from './http/logging.js';
import { createMetrics, watchMemoryStore } from './http/metrics.js';
import { buildMetricsApp, metricsHandler } from './http/metrics-server.js';
import { createWeComDispatcher } from './http/outbound.js';
import { installProxyWarning } from './http/proxy-warning.js';
import { installRateLimits } from './http/rate-limit.js';
import { baseSecurityHeaders } from './http/security-headers.js';
import type { KeyRing } from './keys/key-ring.js';
import { loadKeyRing } from './keys/load.js';
import { registerAuthorize } from './login/authorize.js';
import { registerCallback } from './login/callback.js';
import { registerHandoff } from './login/handoff/routes.js';
import { ClientRegistry } from './oidc/client-auth.js';
import { registerDiscovery } from './oidc/discovery.js';
import { registerLogout } from './oidc/logout.js';
import { OffboardingWorker } from './oidc/offboarding.js';
import { registerToken } from './oidc/token.js';
import { registerUserinfo } from './oidc/userinfo.js';
import { registerWeComEvents } from './oidc/wecom-events.js';
import { createStore } from './store/create.js';
import { InstrumentedStore } from './store/instrumented.js';
import { MemoryStore } from './store/memory.js';
import type { Store } from './store/store.js';
import { VERSION } from './version.js';
import { WeComClient } from './wecom/client.js';

/** Overrides for tests, the demo and the benchmark; production passes none. */
export interface AppOptions {
  readonly store?: Store;
  readonly keys?: KeyRing;
  readonly dispatcher?: Dispatcher;
  readonly logger?: FastifyBaseLogger;
  readonly metrics?: Metrics;
  /** Clock in epoch milliseconds. */
  readonly now?: () => number;
}

/** The application and the context it was built with. */
export interface BuiltApp {
  readonly app: FastifyInstance;
  readonly context: BridgeContext;
  /** The `/metrics` listener's app (METRICS_ADDRESS), closed with `app`; absent when off. */
  readonly metricsApp?: FastifyInstance;
}

/** Longest request URL accepted; longer ones get 414 (headers beyond 16 KB get 431 from Node). */
const MAX_URL_LENGTH = 8192;

/** Builds the bridge. Resources it creates (store, dispatcher) are closed with the app. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<BuiltApp> {
  const logger: FastifyBaseLogger = options.logger ?? pino(loggerOptions(config.logLevel));
  const now = options.now ?? Date.now;
  const metrics = options.metrics ?? createMetrics(VERSION);
  // `backend` is the configured store itself (its memory gauges); everything goes through the
  // timed wrapper.
  const backend = options.store ?? (await createStore(config, now));
  if (backend instanceof MemoryStore) watchMemoryStore(metrics, () => backend.usage());
  const store = new InstrumentedStore(backend, (operation, outcome, seconds) =>
    metrics.storeDuration.labels(operation, outcome).observe(seconds),
  );
  const dispatcher = options.dispatcher ?? createWeComDispatcher(config.outboundProxy);
  const keys = options.keys ?? (await loadKeyRing(config, logger));
  const wecom = new WeComClient({
    config: config.wecom,
    store,
    dispatcher,
    now,
    observe: (api, errcode, seconds) => {
      metrics.wecomCalls.labels(api, String(errcode)).inc();
      metrics.wecomDuration.labels(api).observe(seconds);
    },
  });
  const context: BridgeContext = {
    config,
    store,
    keys,
    wecom,
    metrics,
    now,
    clients: new ClientRegistry(config.clients),
    cookies: cookieJar(config.publicUrl),
    lifecycle: { shuttingDown: false },
  };
  const securityHeaders = baseSecurityHeaders(config.publicUrl.startsWith('https://'));
  const app = Fastify({
    loggerInstance: logger,
    // fastify's own request lines print the full URL (codes, states, tokens): off; see http/logging.ts.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: redactedChildLogger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 16 * 1024,
    forceCloseConnections: 'idle',
    ...connectionOptions(config.connections),
    rewriteUrl: prefixStripper(config.publicUrl),
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler(config.publicUrl, securityHeaders),
  });
  limitConnections(app.server, config.connections);
  installPlumbing(app, context, securityHeaders);
  installRateLimits(app, context);
  // Offboarding jobs run on every replica (when events are configured): see oidc/offboarding.ts.
  const worker = new OffboardingWorker(context, logger);
  registerRoutes(app, context);
  registerWeComEvents(app, context, worker);
  if (config.events) app.addHook('onReady', async () => worker.start());
  // CONTRACT lists GET /metrics under PUBLIC_URL: there only for a scraper holding METRICS_TOKEN.
  const metricsToken = config.metrics?.token;
  if (metricsToken !== undefined)
    app.get('/metrics', { config: { errorMode: 'json' } }, metricsHandler(metrics, metricsToken));
  const metricsApp = config.metrics ? buildMetricsApp(config, metrics, logger) : undefined;
  app.addHook('onClose', async () => {
    await worker.stop();
    await metricsApp?.close();
    await store.close();
    if (!options.dispatcher) await dispatcher.close();
  });
  return { app, context, ...(metricsApp ? { metricsApp } : {}) };
}

function installPlumbing(
  app: FastifyInstance,
  context: BridgeContext,
  securityHeaders: Readonly<Record<string, string>>,
): void {
  // Only form bodies are accepted anywhere; JSON or text bodies get 415.
  app.removeAllContentTypeParsers();
  app.register(formbody, { bodyLimit: 16 * 1024 });
  app.register(cookie);
  installErrorHandling(app, context.config.publicUrl);
  installRequestLogging(app);
  installProxyWarning(app);
  // Callback-style hooks throughout: nothing here waits, and an async hook costs every request a
  // promise and a microtask.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaders);
    if (request.url.length <= MAX_URL_LENGTH) return done();
    // Answered here; fastify runs no further hook or handler after a reply sent without done().
    reply.code(414).header('cache-control', 'no-store');
    reply.send({ error: 'invalid_request', error_description: 'The request URL is too long' });
  });
  // During shutdown every response closes its connection: a client's (or load balancer's)
  // kept-alive connection would otherwise hold the server open after its last request and turn
  // a clean exit into the shutdown timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (context.lifecycle.shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    context.metrics.httpRequests
      .labels(routeOf(request), request.method, String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
    done();
  });
}

function registerRoutes(app: FastifyInstance, context: BridgeContext): void {
  registerDiscovery(app, context);
  registerAuthorize(app, context);
  registerCallback(app, context);
  registerHandoff(app, context);
  registerToken(app, context);
  registerUserinfo(app, context);
  registerLogout(app, context);
  registerHealth(app, context);
  registerDomainVerify(app, context);
}

/**
 * With a path prefix in PUBLIC_URL (`https://example.com/sso`), a reverse proxy may pass the
 * prefix through or strip it; both work: routes live at the root and a leading prefix is removed.
 */
function prefixStripper(publicUrl: string): (request: { url?: string }) => string {
  const prefix = new URL(publicUrl).pathname.replace(/\/$/, '');
  return (request) => {
    const url = request.url ?? '/';
    if (prefix === '' || !(url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`))) return url;
    const rest = url.slice(prefix.length);
    return rest.startsWith('/') ? rest : `/${rest}`;
  };
}

/**
 * fastify's `trustProxy`. A hop count becomes a function: recent fastify releases treat a bare
 * number as "trust nothing". Trusting N hops is safe only if the port is reachable solely through
 * those proxies; addresses/CIDRs are the better choice.
 */
function fastifyTrustProxy(value: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_address, hop) => hop < value;
  if (value === false) return false;
  return [...value];
}
