/**
 * Opaque refresh tokens (issued when the scope has `offline_access`).
 *
 * A token is `<grantId>.<256 random bits>`, stored under its hash for REFRESH_TOKEN_TTL. Like
 * access tokens it carries its grant id, so one store round trip fetches the token, the mark
 * left when it was rotated, and its family's revocation mark.
 */
import type { BridgeContext } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';
import type { StoreWrite } from '../store/store.js';
import type { MintedToken } from './access-tokens.js';
import { keys, tokenRecord, type GrantData, type RefreshTokenRecord } from './records.js';

/** What the store knows about a presented refresh token. */
export interface RefreshTokenLookup {
  /** The record; undefined when unknown or expired. */
  readonly record?: RefreshTokenRecord;
  /** The token was already rotated: presenting it again is reuse. */
  readonly used: boolean;
  /** Its family (grant) is revoked. */
  readonly familyRevoked: boolean;
}

/** Longest token looked up at all (ours are 66 characters). */
const MAX_TOKEN_LENGTH = 200;

/** Mints a refresh token of `grant`'s family (with the family's scopes); nothing is stored yet. */
export function mintRefreshToken(context: BridgeContext, grant: GrantData): MintedToken {
  const token = `${grant.grantId}.${randomSecret()}`;
  return { token, write: { key: keys.refreshToken(token), value: tokenRecord(grant, grant.scopes), ttlSeconds: context.config.ttl.refreshToken } };
}

/** Looks a presented token up; a malformed one is simply unknown. */
export async function lookupRefreshToken(context: BridgeContext, token: string): Promise<RefreshTokenLookup> {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > MAX_TOKEN_LENGTH) return { used: false, familyRevoked: false };
  const grantId = token.slice(0, dot);
  const [record, used, revoked] = await context.store.getMany([
    keys.refreshToken(token),
    keys.refreshTokenUsed(token),
    keys.revokedGrant(grantId),
  ]);
  return {
    ...(record === undefined ? {} : { record: record as RefreshTokenRecord }),
    used: used !== undefined,
    familyRevoked: revoked !== undefined,
  };
}

/**
 * Marks `token` as rotated and, in the same atomic step, stores `successors` (the new tokens).
 * Atomic across replicas: of two concurrent uses exactly one gets true (and its tokens stored),
 * the other is treated as reuse.
 */
export async function markRotated(context: BridgeContext, token: string, grantId: string, successors: readonly StoreWrite[]): Promise<boolean> {
  return context.store.claim(keys.refreshTokenUsed(token), { grantId, at: context.now() }, context.config.ttl.refreshToken, successors);
}

/** Whether the session `sid` was ended by a logout (its refresh tokens are then dead). */
export async function sessionRevoked(context: BridgeContext, sid: string): Promise<boolean> {
  return (await context.store.get(keys.revokedSid(sid))) !== undefined;
}
