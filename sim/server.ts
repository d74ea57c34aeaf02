/**
 * The WeCom simulator: WeCom's login pages and server API on one local HTTP server, used by the
 * tests, `npm run demo` and the benchmark. See sim/README.md.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerApi } from './api.js';
import { registerControl } from './control.js';
import { registerPages } from './pages.js';
import { SimState, type SimOptions } from './state.js';

export type { SimOptions } from './state.js';

/** A running simulator. */
export interface WeComSimulator {
  /** Base URL, e.g. `http://127.0.0.1:12345` (no trailing slash): every WECOM_*_BASE. */
  readonly url: string;
  readonly state: SimState;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the simulator app without listening (state in `app.simState`). */
export function buildWeComSimulator(options: SimOptions = {}): { app: FastifyInstance; state: SimState } {
  const state = new SimState(options);
  const app = Fastify({ logger: options.logger ?? false, keepAliveTimeout: 60_000 });
  registerPages(app, state);
  registerApi(app, state);
  registerControl(app, state);
  return { app, state };
}

/** Builds and starts the simulator on `options.host` (127.0.0.1) and `options.port` (0 = any). */
export async function startWeComSimulator(options: SimOptions = {}): Promise<WeComSimulator> {
  const { app, state } = buildWeComSimulator(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host}:${port}`, state, app, close: () => app.close() };
}
