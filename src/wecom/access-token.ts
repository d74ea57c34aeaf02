/**
 * The WeCom access token: fetched once per lifetime for the whole deployment.
 *
 * - In-process single flight: many logins needing a token at once share one request.
 * - Across replicas: the token lives in the store; a store lock (`claim`) lets one replica fetch
 *   while the others wait for its result, so a forced refresh does not stampede WeCom.
 * - Refreshed ahead of expiry; dropped on 40014/42001 only if it is still the token that failed
 *   (a replica that already replaced it is not undone).
 * - A failed gettoken for a configuration reason is remembered briefly: retrying a wrong secret
 *   in a loop gets the egress IP banned for an hour (45009).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../store/store.js';
import { WeComApiError } from './errors.js';

/** A fetched token and its lifetime. */
export interface FetchedToken {
  readonly token: string;
  readonly expiresIn: number;
}

interface CachedToken {
  readonly token: string;
  /** Epoch ms. */
  readonly fetchedAt: number;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** Options of {@link AccessTokenProvider}. */
export interface AccessTokenOptions {
  readonly fetchToken: () => Promise<FetchedToken>;
  readonly store: Store;
  /** Distinguishes apps sharing a store: `<corpId>:<agentId>`. */
  readonly appKey: string;
  readonly now?: () => number;
  /** Refresh this long before expiry, seconds (default 300). */
  readonly refreshMarginSeconds?: number;
  /** How long a configuration failure is remembered, ms (default 30 s). */
  readonly failureMemoryMs?: number;
  /** How long a replica waits for another's fetch, ms (default 5 s). */
  readonly lockWaitMs?: number;
}

/** Hands out a valid WeCom access token. */
export class AccessTokenProvider {
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private failure: { error: WeComApiError; until: number } | undefined;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly tokenKey: string;
  private readonly lockKey: string;

  constructor(private readonly options: AccessTokenOptions) {
    this.now = options.now ?? Date.now;
    this.marginMs = (options.refreshMarginSeconds ?? 300) * 1000;
    this.tokenKey = `wecom-token:${options.appKey}`;
    this.lockKey = `wecom-token-lock:${options.appKey}`;
  }

  /** A token valid for at least the refresh margin. */
  async get(): Promise<string> {
    if (this.cached && this.isFresh(this.cached)) return this.cached.token;
    this.inflight ??= this.obtain().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets `token` after WeCom called it invalid or expired. */
  async invalidate(token: string): Promise<void> {
    if (this.cached?.token === token) this.cached = undefined;
    const shared = await this.options.store.get<CachedToken>(this.tokenKey);
    if (shared?.token === token) await this.options.store.delete(this.tokenKey);
  }

  private async obtain(): Promise<string> {
    if (this.failure && this.failure.until > this.now()) throw this.failure.error;
    const shared = await this.options.store.get<CachedToken>(this.tokenKey);
    if (shared && this.isFresh(shared)) return this.remember(shared);
    if (await this.options.store.claim(this.lockKey, 1, 10)) {
      try {
        return await this.fetchAndShare();
      } finally {
        await this.options.store.delete(this.lockKey);
      }
    }
    return (await this.waitForOtherReplica()) ?? this.fetchAndShare();
  }

  private async fetchAndShare(): Promise<string> {
    let fetched: FetchedToken;
    try {
      fetched = await this.options.fetchToken();
    } catch (error) {
      if (error instanceof WeComApiError && error.action === 'config') {
        this.failure = { error, until: this.now() + (this.options.failureMemoryMs ?? 30_000) };
      }
      throw error;
    }
    this.failure = undefined;
    const now = this.now();
    const entry: CachedToken = { token: fetched.token, fetchedAt: now, expiresAt: now + fetched.expiresIn * 1000 };
    await this.options.store.set(this.tokenKey, entry, Math.max(1, fetched.expiresIn));
    return this.remember(entry);
  }

  private async waitForOtherReplica(): Promise<string | undefined> {
    // Real time, not the injectable clock: a frozen test clock must not make this loop endless.
    const deadline = Date.now() + (this.options.lockWaitMs ?? 5000);
    while (Date.now() < deadline) {
      await sleep(50);
      const shared = await this.options.store.get<CachedToken>(this.tokenKey);
      if (shared && this.isFresh(shared)) return this.remember(shared);
    }
    return undefined;
  }

  private remember(entry: CachedToken): string {
    this.cached = entry;
    return entry.token;
  }

  private isFresh(entry: CachedToken): boolean {
    // Short-lived tokens (tests, odd deployments) refresh at half-life instead of never being fresh.
    const margin = Math.min(this.marginMs, (entry.expiresAt - entry.fetchedAt) / 2);
    return entry.expiresAt - margin > this.now();
  }
}
