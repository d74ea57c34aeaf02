/**
 * The WeCom access token: fetched once per lifetime for the whole deployment.
 *
 * - In-process single flight: many logins needing a token at once share one request.
 * - Across replicas: the token lives in the store; a store lock (`claim`) lets one replica fetch
 *   while the others wait for its result, so a forced refresh does not stampede WeCom.
 * - Refreshed ahead of expiry. WeCom answers gettoken with the same token until that token
 *   expires (doc 91039, "有效期内重复获取返回相同结果"): when an early refresh brings back the token
 *   we hold, its first-known expiry stays and nobody asks again before it passes.
 * - A token WeCom calls invalid or expired (40014/42001) is marked dead in this process only and
 *   replaced in the store by whichever replica fetches next. It is never deleted from the store:
 *   a delete racing with another replica's fetch could remove the fresh token and cost a second
 *   gettoken.
 * - A failed gettoken for a configuration reason is remembered briefly: retrying a wrong secret
 *   in a loop gets the egress IP banned for an hour (45009).
 * - The shared copy is sealed (AES-256-GCM) with a key derived from the app secret, which every
 *   replica has and the store does not: whoever reads Redis cannot call WeCom as the app.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { seal, unseal } from '../crypto/seal.js';
import { randomSecret } from '../crypto/secrets.js';
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
  /** WeCom confirmed it hands out this token until `expiresAt`: no early refresh is worth trying. */
  readonly final?: boolean;
}

/** The shared copy: the token sealed, its lifetime in the clear. */
interface SharedToken extends Omit<CachedToken, 'token'> {
  readonly sealed: string;
}

/** How long the fetch lock lives, s: longer than one gettoken with its retry (2 × 5 s timeout). */
const LOCK_TTL_SECONDS = 15;

/** Options of {@link AccessTokenProvider}. */
export interface AccessTokenOptions {
  readonly fetchToken: () => Promise<FetchedToken>;
  readonly store: Store;
  /** Distinguishes apps sharing a store: `<corpId>:<agentId>`. */
  readonly appKey: string;
  /** Seals the shared copy (the app secret: every replica has it, the store does not). */
  readonly sealSecret: string;
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
  /** The last token WeCom rejected as invalid or expired; a shared copy of it is ignored. */
  private dead: string | undefined;
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

  /**
   * A token WeCom accepts: one valid for at least the refresh margin, or the token WeCom keeps
   * handing out until its expiry.
   */
  async get(): Promise<string> {
    const token = await this.current();
    // A flight that began before WeCom rejected this token may still bring it back: ask once more.
    return token === this.dead ? this.current() : token;
  }

  private async current(): Promise<string> {
    if (this.cached && this.usable(this.cached)) return this.cached.token;
    this.inflight ??= this.obtain().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets `token` after WeCom called it invalid or expired. */
  async invalidate(token: string): Promise<void> {
    this.dead = token;
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async obtain(): Promise<string> {
    if (this.failure && this.failure.until > this.now()) throw this.failure.error;
    const shared = await this.readShared();
    if (shared && this.usable(shared)) return this.remember(shared);
    // The lock names its holder, so that releasing it can never remove another replica's lock
    // (ours may have expired while WeCom was slow, and another replica taken it since).
    const holder = { owner: randomSecret(16) };
    if (await this.options.store.claim(this.lockKey, holder, LOCK_TTL_SECONDS)) {
      try {
        // Another replica may have stored a fresh token between our read and our lock.
        const latest = await this.readShared();
        if (latest && this.usable(latest)) return this.remember(latest);
        return await this.fetchAndShare(latest ?? shared);
      } finally {
        await this.options.store.takeIf(this.lockKey, 'owner', holder.owner);
      }
    }
    return (await this.waitForOtherReplica()) ?? this.fetchAndShare(shared);
  }

  private async fetchAndShare(previous: CachedToken | undefined): Promise<string> {
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
    const entry = nextEntry(previous, fetched, now);
    const { token, ...lifetime } = entry;
    const shared: SharedToken = { ...lifetime, sealed: seal(this.options.sealSecret, this.tokenKey, token, now) };
    await this.options.store.set(this.tokenKey, shared, Math.max(1, Math.ceil((entry.expiresAt - now) / 1000)));
    return this.remember(entry);
  }

  /** The shared token; absent when there is none or it does not open (another secret, old format). */
  private async readShared(): Promise<CachedToken | undefined> {
    const shared = await this.options.store.get<SharedToken>(this.tokenKey);
    if (typeof shared?.sealed !== 'string') return undefined;
    // Sealed at most its lifetime ago; one older (or of an earlier format) reads as absent.
    const lifetimeSeconds = Math.ceil((shared.expiresAt - shared.fetchedAt) / 1000);
    const token = unseal(this.options.sealSecret, this.tokenKey, shared.sealed, this.now(), lifetimeSeconds).plaintext;
    if (token === undefined) return undefined;
    const { sealed: _sealed, ...lifetime } = shared;
    return { ...lifetime, token };
  }

  private async waitForOtherReplica(): Promise<string | undefined> {
    // Real time, not the injectable clock: a frozen test clock must not make this loop endless.
    const deadline = Date.now() + (this.options.lockWaitMs ?? 5000);
    while (Date.now() < deadline) {
      await sleep(50);
      const shared = await this.readShared();
      if (shared && this.usable(shared)) return this.remember(shared);
    }
    return undefined;
  }

  private remember(entry: CachedToken): string {
    this.cached = entry;
    return entry.token;
  }

  /** Fresh, and not the token WeCom just rejected. */
  private usable(entry: CachedToken): boolean {
    return entry.token !== this.dead && this.isFresh(entry);
  }

  private isFresh(entry: CachedToken): boolean {
    if (entry.final) return entry.expiresAt > this.now();
    // Short-lived tokens (tests, odd deployments) refresh at half-life instead of never being fresh.
    const margin = Math.min(this.marginMs, (entry.expiresAt - entry.fetchedAt) / 2);
    return entry.expiresAt - margin > this.now();
  }
}

/**
 * The entry to share after a fetch. The same token as before, while it is still valid, is WeCom
 * saying "not yet": keep the earlier (true) expiry, whatever `expires_in` claims now, and mark it
 * final so that no replica asks again before then.
 */
function nextEntry(previous: CachedToken | undefined, fetched: FetchedToken, now: number): CachedToken {
  const expiresAt = now + fetched.expiresIn * 1000;
  if (previous?.token === fetched.token && previous.expiresAt > now) {
    return {
      token: fetched.token,
      fetchedAt: previous.fetchedAt,
      expiresAt: Math.min(previous.expiresAt, expiresAt),
      final: true,
    };
  }
  return { token: fetched.token, fetchedAt: now, expiresAt };
}
