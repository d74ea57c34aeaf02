/**
 * The WeCom simulator: WeCom's login pages and server API on one local HTTP server, used by the
 * tests (in process), `npm run demo` and the benchmark (as a process, see main.ts). One base URL
 * serves every WECOM_*_BASE. See sim/README.md.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerApi } from './api.js';
import type { SimOptions } from './config.js';
import { registerControl } from './control.js';
import { registerPages } from './pages.js';
import { SimState } from './state.js';

export type { SimConfig, SimConfigPatch, SimOptions } from './config.js';
export type { SimDepartment, SimMember } from './directory.js';
export type { SimApi, SimFault, SimFaultInput, SimFaultTarget } from './faults.js';
export { type SimCalls, SimState, type SimStats } from './state.js';

/** A running simulator. */
export interface WeComSimulator {
  /** Base URL, e.g. `http://127.0.0.1:12345` (no trailing slash): every WECOM_*_BASE. */
  readonly url: string;
  /** The live state: the same controls as the `/_sim/*` API, without HTTP. */
  readonly state: SimState;
  /** The fastify app (for `inject` or hooks). */
  readonly app: FastifyInstance;
  /** Stops listening; pending latency and hangs end at once. */
  close(): Promise<void>;
}

/**
 * Builds the simulator app without listening.
 *
 * @param state the state to serve (default: a new one from `options`); pass your own to keep a handle
 */
export function buildWeComSimulator(
  options: SimOptions = {},
  state: SimState = new SimState(options),
): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, keepAliveTimeout: 60_000 });
  // Ends latency and hanging faults when the app closes, so that close() does not wait for them.
  const stopping = new AbortController();
  app.addHook('preClose', (done) => {
    stopping.abort();
    done();
  });
  // A keep-alive connection that was busy when close() began would otherwise hold the server open
  // until keepAliveTimeout: answers sent while closing end their connection.
  app.addHook('onSend', async (_request, reply) => {
    if (stopping.signal.aborted) reply.header('connection', 'close');
  });
  registerPages(app, state);
  registerApi(app, state, stopping.signal);
  registerControl(app, state);
  return app;
}

/** Builds and starts the simulator on `options.host` (127.0.0.1) and `options.port` (0 = any free port). */
export async function startWeComSimulator(options: SimOptions = {}): Promise<WeComSimulator> {
  const state = new SimState(options);
  const app = buildWeComSimulator(options, state);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return { url: `http://${urlHost(host)}:${port}`, state, app, close: () => app.close() };
}

/** The host part of the simulator's URL: a wildcard listen address is reached on loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
