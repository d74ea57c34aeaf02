/**
 * What the plugin shares between its routes and its authenticators, per NocoBase application
 * (one process can serve several apps): the discovered providers, the cache that holds hand-offs
 * and the ID tokens kept for sign-out, and the key that seals sign-ins in progress.
 */
import type { Cache } from './nocobase-types.js';
import type { ProviderCache } from './provider.js';
import type { SealKey } from './seal.js';

/** The plugin's state of one app. */
export interface Runtime {
  readonly providers: ProviderCache;
  readonly cache: Cache;
  /** The key of the plugin's sealed cookies (derived from the app's JWT secret, shared by its processes). */
  readonly cookieKey: () => SealKey;
}

/**
 * Kept on the app object under a registered symbol, not in module state: NocoBase's plugin
 * manager may load the plugin's module more than once (enabling re-requires it), and a route
 * registered by one copy must find the state set by another.
 */
const RUNTIME = Symbol.for('wecom-oidc-bridge.nocobase-plugin.runtime');

/** Remembers `runtime` for `app` (the plugin's load). */
export function setRuntime(app: object, runtime: Runtime): void {
  (app as Record<symbol, Runtime>)[RUNTIME] = runtime;
}

/** The runtime of `app`; throws when the plugin has not loaded there. */
export function runtimeOf(app: object): Runtime {
  const runtime = (app as Record<symbol, Runtime | undefined>)[RUNTIME];
  if (!runtime) throw new Error('the wecom-bridge plugin is not loaded in this app');
  return runtime;
}

/** The cache key of the ID token of one NocoBase session (its user and sign-in time survive token renewal). */
export function idTokenKey(userId: unknown, signInTime: unknown): string {
  return `idt:${String(userId)}:${String(signInTime)}`;
}
