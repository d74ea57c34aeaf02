/**
 * What a grant of the token endpoint yields before anything is consumed.
 *
 * A grant checks everything first, then the token endpoint mints the new tokens, and only then
 * does `commit` consume the code or rotate the refresh token: one atomic store step that also
 * stores the new tokens, so a lost race stores nothing and a won one needs no second round trip.
 */
import type { StoreWrite } from '../store/store.js';
import type { GrantData } from './records.js';

/** A checked, not yet consumed, grant. */
export interface Redemption {
  /** What the tokens are issued for (a refresh carries the re-checked profile). */
  readonly grant: GrantData;
  /** Scopes of the new access token. */
  readonly scopes: readonly string[];
  /** The nonce to echo in the ID token (code grant only). */
  readonly nonce?: string | undefined;
  /**
   * Consumes the code or rotates the refresh token, storing `writes` in the same atomic step;
   * throws `invalid_grant` (after revoking the grant) when another use came first.
   */
  commit(writes: readonly StoreWrite[]): Promise<void>;
}
