/**
 * Starts what an end-to-end test needs on loopback: the WeCom simulator and the bridge (real
 * HTTP, real config loader), both configured the way an administrator would.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { type SimOptions, startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import type { AppOptions } from '../../src/app.js';
import { type Env, loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { loggerOptions } from '../../src/http/logging.js';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { type StartedBridge, startServer } from '../../src/server.js';
import { MemoryStore } from '../../src/store/memory.js';
import { TestBrowser, USER_AGENTS } from './browser.js';
import { TRICKY_SECRET } from './env.js';
import { freePort } from './free-port.js';

/** The relying parties every harness registers. */
export const CLIENTS = {
  /** Configured like NocoBase: single-client variables, a secret that needs URL-decoding. */
  nocobase: {
    id: 'nocobase',
    secret: TRICKY_SECRET,
    redirectUri: 'http://127.0.0.1:13000/api/oidc:redirect',
    postLogoutRedirectUri: 'http://127.0.0.1:13000/signin',
  },
  /** A modern RP from OIDC_CLIENTS: PKCE, nonce, client_secret_post. */
  modern: {
    id: 'modern-app',
    secret: 'modern-app-secret-0123456789abcdef',
    redirectUri: 'http://localhost:3000/callback',
    postLogoutRedirectUri: 'http://localhost:3000/bye',
  },
  /** A second client for cross-client checks; its redirect URI carries a query of its own. */
  other: {
    id: 'other-app',
    secret: 'other-app-secret-0123456789abcdef',
    redirectUri: 'http://localhost:4000/cb?tenant=a%20b',
    postLogoutRedirectUri: 'http://localhost:4000/bye',
  },
} as const;

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  /** Extra or overriding environment variables. */
  readonly env?: Env;
  readonly sim?: SimOptions;
  readonly app?: AppOptions;
  /** Capture the bridge's log lines (JSON strings). */
  readonly captureLogs?: boolean;
  /** A path prefix for PUBLIC_URL, e.g. `/sso` (the bridge still listens at the root). */
  readonly publicPath?: string;
}

/** The bridge's clock in tests: real time plus an offset that tests move forward. */
export interface FakeClock {
  /** Epoch milliseconds as the bridge sees them. */
  now(): number;
  /** Moves the bridge's clock (and its memory store's) and the simulator's clock forward. */
  advance(seconds: number): void;
}

/** A running simulator + bridge. */
export interface Harness {
  readonly sim: WeComSimulator;
  /** The bridge's clock (with a memory store, store expiry follows it too). */
  readonly clock: FakeClock;
  readonly bridge: StartedBridge;
  readonly issuer: string;
  /** Base URL of the bridge's metrics listener (`<metricsUrl>/metrics`), unless METRICS_ADDRESS=off. */
  readonly metricsUrl?: string;
  readonly config: Config;
  readonly logs: string[];
  /** A fresh browser (desktop by default) that the simulator logs in as `user`. */
  browser(user?: string, userAgent?: string): TestBrowser;
  close(): Promise<void>;
}

/**
 * One RS256 key per test process, given to every Redis-backed harness: replicas sharing a Redis
 * must share a configured key (the bridge refuses REDIS_URL without one).
 */
let sharedTestKey: string | undefined;
function testSigningKey(): string {
  sharedTestKey ??= generateSigningKeyPem('RS256');
  return sharedTestKey;
}

/** The environment of a harness bridge on `port` talking to the simulator at `simUrl`. */
export function harnessEnv(port: number, simUrl: string, extra: Env = {}): Record<string, string | undefined> {
  return {
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    WECOM_CORP_ID: 'ww5imulat0rc0rp1d',
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'sim-secret-0123456789',
    WECOM_API_BASE: simUrl,
    WECOM_OAUTH_BASE: simUrl,
    WECOM_SSO_BASE: simUrl,
    OIDC_CLIENT_ID: CLIENTS.nocobase.id,
    OIDC_CLIENT_SECRET: CLIENTS.nocobase.secret,
    OIDC_REDIRECT_URIS: CLIENTS.nocobase.redirectUri,
    OIDC_POST_LOGOUT_REDIRECT_URIS: CLIENTS.nocobase.postLogoutRedirectUri,
    OIDC_CLIENTS: JSON.stringify(
      [CLIENTS.modern, CLIENTS.other].map((c) => ({
        client_id: c.id,
        client_secret: c.secret,
        redirect_uris: [c.redirectUri],
        post_logout_redirect_uris: [c.postLogoutRedirectUri],
      })),
    ),
    LOG_LEVEL: 'info',
    // A free port: harnesses of parallel test files must not compete for 9464.
    METRICS_ADDRESS: '127.0.0.1:0',
    // Replicas on one Redis must share a configured key (the bridge refuses REDIS_URL without one).
    ...(extra.REDIS_URL && !extra.SIGNING_KEY && !extra.SIGNING_KEY_FILE ? { SIGNING_KEY: testSigningKey() } : {}),
    ...extra,
  };
}

/**
 * Starts the simulator and a bridge pointed at it. The bridge's port must be known before its
 * config (PUBLIC_URL), so it is chosen free and bound a moment later; when another test file's
 * server took it meanwhile (EADDRINUSE), start again on another port.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startHarnessOnce(options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw error;
    }
  }
}

async function startHarnessOnce(options: HarnessOptions): Promise<Harness> {
  const port = await freePort();
  const sim = await startWeComSimulator({ trustedDomains: [`127.0.0.1:${port}`], ...options.sim });
  const prefixed = options.publicPath ? { PUBLIC_URL: `http://127.0.0.1:${port}${options.publicPath}` } : {};
  const config = loadConfig(harnessEnv(port, sim.url, { ...prefixed, ...options.env }));
  const logs: string[] = [];
  // The service's own logger options (redaction included), writing to the capture.
  const logger = pino(
    loggerOptions(config.logLevel),
    new Writable({
      write(chunk, _encoding, done) {
        if (options.captureLogs) logs.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    }),
  );
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const clock: FakeClock = {
    now,
    advance: (seconds) => {
      offsetMs += seconds * 1000;
      sim.state.advance(seconds);
    },
  };
  const store = config.redis ? {} : { store: new MemoryStore({ now, sweepIntervalMs: 0 }) };
  const bridge = await startServer(config, { logger, now, ...store, ...options.app }).catch(async (error: unknown) => {
    await sim.close();
    throw error;
  });
  return {
    sim,
    clock,
    bridge,
    issuer: config.publicUrl,
    ...(bridge.metricsUrl ? { metricsUrl: bridge.metricsUrl } : {}),
    config,
    logs,
    browser: (user = 'zhangsan', userAgent = USER_AGENTS.desktop) => new TestBrowser(userAgent, user, sim.url),
    close: async () => {
      await bridge.app.close();
      await sim.close();
    },
  };
}
