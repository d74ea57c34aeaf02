/**
 * Opaque access tokens, good only at /userinfo.
 *
 * A token is `<grantId>.<256 random bits>`; it is stored under its hash. Carrying the grant id in
 * the token lets /userinfo fetch the token record and the grant's revocation mark in one store
 * round trip. Revoking a grant (code replay, refresh-token reuse, logout) sets that mark.
 */
import type { BridgeContext } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';
import type { StoreWrite } from '../store/store.js';
import { type AccessTokenRecord, type GrantData, keys, tokenRecord } from './records.js';

/** A new token and the store write that makes it live (stored by the grant that issues it). */
export interface MintedToken {
  readonly token: string;
  readonly write: StoreWrite;
}

/** Mints an access token of `grant` for `scopes`; nothing is stored yet. */
export function mintAccessToken(context: BridgeContext, grant: GrantData, scopes: readonly string[]): MintedToken {
  const token = `${grant.grantId}.${randomSecret()}`;
  return {
    token,
    write: {
      key: keys.accessToken(token),
      value: tokenRecord(grant, scopes),
      ttlSeconds: context.config.ttl.accessToken,
    },
  };
}

/** The record of a live, unrevoked token; undefined otherwise. */
export async function findAccessToken(context: BridgeContext, token: string): Promise<AccessTokenRecord | undefined> {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 200) return undefined;
  const grantId = token.slice(0, dot);
  const [record, revoked] = await context.store.getMany([keys.accessToken(token), keys.revokedGrant(grantId)]);
  if (revoked !== undefined || record === undefined) return undefined;
  return record as AccessTokenRecord;
}

/**
 * Revokes every token of a grant: marks it for as long as any of its tokens can live (refresh
 * tokens included).
 */
export async function revokeGrant(context: BridgeContext, grantId: string, reason: string): Promise<void> {
  const { ttl } = context.config;
  await context.store.set(
    keys.revokedGrant(grantId),
    { reason, at: context.now() },
    Math.max(ttl.accessToken, ttl.refreshToken),
  );
}
