/**
 * The app's access tokens, with WeCom's rules: gettoken returns the same token while it is valid,
 * a token dies at its expiry (42001) or earlier when WeCom decides so (tests force 42001 / 40014).
 */
import { randomBytes } from 'node:crypto';

type TokenHealth = 'valid' | 'expired' | 'invalid';

interface TokenEntry {
  readonly expiresAt: number;
  health: TokenHealth;
}

/** WeCom's answer to checking a token: 0 usable, 41001 missing, 40014 invalid, 42001 expired. */
export type TokenCheck = 0 | 41001 | 40014 | 42001;

/** Issued access tokens. */
export class AccessTokens {
  private readonly tokens = new Map<string, TokenEntry>();
  private forceNew = false;
  /** Tokens minted (a reused token is not counted again). */
  issued = 0;

  /** @param now simulated time, epoch ms */
  constructor(private readonly now: () => number) {}

  /** The token gettoken answers: the current one while it is valid, else a new one. */
  issue(lifetimeSeconds: number): string {
    const current = this.forceNew ? undefined : this.currentValid();
    if (current) return current;
    this.forceNew = false;
    // 64 url-safe characters: real tokens are longer, but the contract only promises ≤ 512 bytes.
    const token = randomBytes(48).toString('base64url');
    this.tokens.set(token, { expiresAt: this.now() + lifetimeSeconds * 1000, health: 'valid' });
    this.issued += 1;
    return token;
  }

  /** The next gettoken mints a new token although older ones stay valid (WeCom may do so). */
  rotate(): void {
    this.forceNew = true;
  }

  /** Checks a token taken from the query string. */
  check(token: string | undefined): TokenCheck {
    if (!token) return 41001;
    const entry = this.tokens.get(token);
    if (!entry || entry.health === 'invalid') return 40014;
    if (entry.health === 'expired' || entry.expiresAt <= this.now()) return 42001;
    return 0;
  }

  /** Every issued token answers 42001 from now on. */
  expireAll(): void {
    for (const entry of this.tokens.values()) if (entry.health === 'valid') entry.health = 'expired';
  }

  /** Every issued token answers 40014 from now on. */
  invalidateAll(): void {
    for (const entry of this.tokens.values()) entry.health = 'invalid';
  }

  /** Every token issued so far (tests check that none leaks into logs). */
  list(): string[] {
    return [...this.tokens.keys()];
  }

  /** Forgets every token and the counter. */
  clear(): void {
    this.tokens.clear();
    this.forceNew = false;
    this.issued = 0;
  }

  private currentValid(): string | undefined {
    const now = this.now();
    let newest: string | undefined;
    for (const [token, entry] of this.tokens) {
      if (entry.health === 'valid' && entry.expiresAt > now) newest = token;
    }
    return newest;
  }
}
