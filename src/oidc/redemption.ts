/**
 * What a grant of the token endpoint yields before anything is consumed.
 *
 * A grant checks everything first, then the token endpoint mints the new tokens, and only then
 * does `commit` consume the code or rotate the refresh token: one atomic store step that also
 * stores the new tokens, so a lost race stores nothing and a won one needs no second round trip.
 */
import type { StoreWrite } from '../store/store.js';
import type { GrantData } from './records.js';

/** The JSON body of a successful token response. */
export type TokenResponse = Readonly<Record<string, unknown>>;

/** A checked, not yet consumed, grant. */
export interface Redemption {
  /** What the tokens are issued for (a refresh carries the re-checked profile). */
  readonly grant: GrantData;
  /** Scopes of the new access token. */
  readonly scopes: readonly string[];
  /** The nonce to echo in the ID token (code grant only). */
  readonly nonce?: string | undefined;
  /**
   * Consumes the code or rotates the refresh token, storing `writes` in the same atomic step,
   * and resolves to the body to send: `response` (built meanwhile), or, for a refresh that lost a
   * race to the same request of its own client within the grace window, the winner's answer.
   * Throws `invalid_grant` (after revoking the grant) when another use came first.
   */
  commit(writes: readonly StoreWrite[], response: Promise<TokenResponse>): Promise<TokenResponse>;
}

/**
 * A refresh token presented again by its own client within the grace window after its rotation
 * (refresh-tokens.ts): the answer already given, sent again; nothing is minted.
 */
export interface RepeatedRedemption {
  readonly repeated: TokenResponse;
}

/** What a grant yields: a redemption to commit, or an answer to repeat. */
export type GrantOutcome = Redemption | RepeatedRedemption;
