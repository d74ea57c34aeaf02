/**
 * Runs the bridge as a process: build, listen, and shut down gracefully on SIGTERM/SIGINT
 * (readiness turns 503 first, in-flight requests finish, the store closes, exit 0).
 */
import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { symbols } from 'pino';
import { type AppOptions, type BuiltApp, buildApp } from './app.js';
import type { Config } from './config/types.js';
import { describeProxy } from './http/outbound.js';

/** Grace period before forcing exit, ms. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** A started bridge: the app, its public address and, unless METRICS_ADDRESS=off, the metrics listener's. */
export type StartedBridge = BuiltApp & { url: string; metricsUrl?: string };

/** Builds and starts the bridge; resolves with the listening app and its addresses. */
export async function startServer(config: Config, options: AppOptions = {}): Promise<StartedBridge> {
  const built = await buildApp(config, options);
  const listening = async () => {
    const url = await built.app.listen({ host: config.host, port: config.port });
    const metricsUrl =
      built.metricsApp && config.metrics ? await listenForMetrics(built.metricsApp, config.metrics) : undefined;
    return { url, metricsUrl };
  };
  const { url, metricsUrl } = await listening().catch(async (error: unknown) => {
    // Port taken or not allowed: release the store connection, timers and listeners before reporting it.
    await built.app.close();
    throw error;
  });
  built.app.log.info(
    {
      address: url,
      metrics: metricsUrl ? `${metricsUrl}/metrics` : 'off',
      issuer: config.publicUrl,
      clients: config.clients.map((client) => client.clientId),
      store: config.redis ? 'redis' : 'memory',
      loginMode: config.wecom.loginMode,
      scope: config.wecom.scope,
      alg: config.signing.alg,
      kid: built.context.keys.currentKid,
      kids: built.context.keys.jwks().keys.length,
      ...(config.outboundProxy ? { wecomProxy: proxySummary(config.outboundProxy) } : {}),
    },
    'wecom-oidc-bridge listening',
  );
  return { ...built, url, ...(metricsUrl ? { metricsUrl } : {}) };
}

/** Starts the metrics listener; a taken port says which variable to change. */
async function listenForMetrics(app: FastifyInstance, address: NonNullable<Config['metrics']>): Promise<string> {
  try {
    return await app.listen({ host: address.host, port: address.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `METRICS_ADDRESS: cannot listen on ${address.host}:${address.port} (${code}); choose another address, or METRICS_ADDRESS=off`,
      { cause: error },
    );
  }
}

/**
 * Installs SIGTERM/SIGINT handlers that close `built` gracefully; `alsoClose` releases whatever
 * else the process runs (the demo's simulator and sample RP).
 */
export function handleSignals(built: BuiltApp, alsoClose: () => Promise<void> = async () => {}): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    built.context.lifecycle.shuttingDown = true;
    built.app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      built.app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    closeApp(built.app)
      .then(alsoClose)
      .then(
        () => {
          // Logged after the in-flight requests finished and the store (Redis) was closed.
          built.app.log.info({ signal }, 'shutdown complete');
          exitAfterFlush(built.app.log, 0);
        },
        (error: unknown) => {
          built.app.log.error({ err: error }, 'error during shutdown');
          exitAfterFlush(built.app.log, 1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/**
 * Exits once the logger has written everything: stdout to a pipe (containers, log shippers) is
 * asynchronous, and `process.exit` would otherwise drop the last lines, or reorder them. pino's
 * `flush(cb)` does not wait: with an unbuffered destination (sonic-boom's minLength 0) it calls
 * back at once, even while a line is still being written on the thread pool, and pino's exit hook
 * then writes the lines queued behind that one synchronously, ahead of it (on a busy machine the
 * in-flight login's 'login succeeded' came out after 'shutdown complete'). Ending the destination
 * waits for the write in flight and the queue.
 */
function exitAfterFlush(log: FastifyBaseLogger, code: number): void {
  process.exitCode = code;
  const destination = endableDestination(log);
  if (destination) {
    const exit = () => process.exit(code);
    destination.once('close', exit);
    destination.once('error', exit);
    destination.end();
    return;
  }
  const flush = (log as { flush?: (done: () => void) => void }).flush;
  if (typeof flush !== 'function') process.exit(code);
  else flush.call(log, () => process.exit(code));
}

/**
 * pino's own stdout destination (sonic-boom): `end()` waits for the write in flight, writes out
 * what is queued, then emits 'close' (it leaves fd 1 open).
 */
type EndableDestination = EventEmitter & { end(): void; flushSync(): void; destroyed?: boolean };

/**
 * The logger's destination when it is pino's sonic-boom (told by `flushSync`, which Node's own
 * writable streams lack: ending process.stdout would not come back); none for other loggers.
 */
function endableDestination(log: FastifyBaseLogger): EndableDestination | undefined {
  const stream = (log as unknown as Record<symbol, unknown>)[symbols.streamSym];
  if (!(stream instanceof EventEmitter)) return undefined;
  const destination = stream as Partial<EndableDestination> & EventEmitter;
  if (typeof destination.end !== 'function' || typeof destination.flushSync !== 'function') return undefined;
  // pino puts a no-op `end` on the destination itself once stdout's reader is gone (EPIPE): it
  // would never emit 'close', and there is nothing left to write.
  if (destination.destroyed === true || Object.hasOwn(destination, 'end')) return undefined;
  return destination as EndableDestination;
}

function proxySummary(proxy: NonNullable<Config['outboundProxy']>): Record<string, string> {
  return {
    ...(proxy.httpProxy ? { http: describeProxy(proxy.httpProxy) } : {}),
    ...(proxy.httpsProxy ? { https: describeProxy(proxy.httpsProxy) } : {}),
    ...(proxy.noProxy ? { noProxy: proxy.noProxy } : {}),
  };
}

async function closeApp(app: FastifyInstance): Promise<void> {
  await app.close();
}
