/**
 * What every route needs, built once by `app.ts` and passed explicitly (no globals), so tests can
 * substitute the store, the clock and the WeCom dispatcher.
 *
 * The context sits below the rooms that use it (http/, oidc/, login/): it imports only from the
 * layers under it (config, store, keys, wecom), and declares here the shapes of what `app.ts`
 * builds from above (the cookie names, the metrics, the client directory), so that no import
 * runs back up.
 */
import type { Counter, Histogram, Registry } from 'prom-client';
import type { ClientConfig, Config } from './config/types.js';
import type { KeyRing } from './keys/key-ring.js';
import type { Store } from './store/store.js';
import type { WeComClient } from './wecom/client.js';

/** Cookie names and attributes for one deployment (http/cookies.ts makes them from PUBLIC_URL). */
export interface CookieJar {
  readonly bindingName: string;
  readonly sessionName: string;
  readonly secure: boolean;
}

/** The bridge's metrics (http/metrics.ts creates them). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Histogram<'route' | 'method' | 'status'>;
  readonly logins: Counter<'outcome' | 'reason' | 'leg'>;
  readonly wecomCalls: Counter<'api' | 'errcode'>;
  readonly wecomDuration: Histogram<'api'>;
  readonly tokensIssued: Counter<'grant'>;
  readonly storeDuration: Histogram<'operation' | 'outcome'>;
  /** WeCom contact events by change type and outcome (ended, recheck, ignored, repeated, refused_*). */
  readonly wecomEvents: Counter<'change' | 'outcome'>;
  /** Back-channel logout deliveries by outcome (delivered, retry, failed, dropped). */
  readonly logoutDeliveries: Counter<'outcome'>;
}

/** The registered relying parties by id (oidc/client-auth.ts: the registry and client authentication). */
export interface ClientDirectory {
  /** The client with this id, if registered. */
  find(clientId: string | undefined): ClientConfig | undefined;
}

/** Shared dependencies of the routes. */
export interface BridgeContext {
  readonly config: Config;
  readonly store: Store;
  readonly keys: KeyRing;
  readonly clients: ClientDirectory;
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
