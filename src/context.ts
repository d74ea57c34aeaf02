/**
 * What every route needs, built once by `app.ts` and passed explicitly (no globals), so tests can
 * substitute the store, the clock and the WeCom dispatcher.
 */
import type { Config } from './config/types.js';
import type { CookieJar } from './http/cookies.js';
import type { Metrics } from './http/metrics.js';
import type { KeyRing } from './keys/key-ring.js';
import type { ClientRegistry } from './oidc/client-auth.js';
import type { Store } from './store/store.js';
import type { WeComClient } from './wecom/client.js';

/** Shared dependencies of the routes. */
export interface BridgeContext {
  readonly config: Config;
  readonly store: Store;
  readonly keys: KeyRing;
  readonly clients: ClientRegistry;
  readonly wecom: WeComClient;
  readonly cookies: CookieJar;
  readonly metrics: Metrics;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;
  /** Set when shutdown begins: readiness turns 503. */
  readonly lifecycle: { shuttingDown: boolean };
}

/** Current time in whole epoch seconds (JWT and OIDC time claims). */
export function epochSeconds(context: Pick<BridgeContext, 'now'>): number {
  return Math.floor(context.now() / 1000);
}
