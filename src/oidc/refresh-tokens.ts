/**
 * Opaque refresh tokens (issued when the scope has `offline_access`).
 *
 * A token is `<grantId>.<256 random bits>`, stored under its hash for REFRESH_TOKEN_TTL. Like
 * access tokens it carries its grant id, so one store round trip fetches the token, the mark
 * left when it was rotated, and its family's revocation mark.
 */
import type { BridgeContext } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';
import { keys, type GrantData, type RefreshTokenRecord } from './records.js';

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

/** Mints and stores a refresh token of `grant`'s family. */
export async function issueRefreshToken(context: BridgeContext, grant: GrantData): Promise<string> {
  const token = `${grant.grantId}.${randomSecret()}`;
  const record: RefreshTokenRecord = {
    grantId: grant.grantId,
    clientId: grant.clientId,
    scopes: grant.scopes,
    user: grant.user,
    sid: grant.sid,
    authTime: grant.authTime,
  };
  await context.store.set(keys.refreshToken(token), record, context.config.ttl.refreshToken);
  return token;
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
 * Marks `token` as rotated. Atomic across replicas: of two concurrent uses exactly one gets true,
 * the other is treated as reuse.
 */
export async function markRotated(context: BridgeContext, token: string, grantId: string): Promise<boolean> {
  return context.store.claim(keys.refreshTokenUsed(token), { grantId, at: context.now() }, context.config.ttl.refreshToken);
}

/** Whether the session `sid` was ended by a logout (its refresh tokens are then dead). */
export async function sessionRevoked(context: BridgeContext, sid: string): Promise<boolean> {
  return (await context.store.get(keys.revokedSid(sid))) !== undefined;
}
