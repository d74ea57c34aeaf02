/**
 * Opaque access tokens, good only at /userinfo.
 *
 * A token is `<grantId>.<256 random bits>`; it is stored under its hash. Carrying the grant id in
 * the token lets /userinfo fetch the token record and the grant's revocation mark in one store
 * round trip. Revoking a grant (code replay, refresh-token reuse, logout) sets that mark.
 */
import type { BridgeContext } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';
import { keys, type AccessTokenRecord, type GrantData } from './records.js';

/** Mints and stores an access token for `grant`. */
export async function issueAccessToken(context: BridgeContext, grant: GrantData): Promise<string> {
  const token = `${grant.grantId}.${randomSecret()}`;
  const record: AccessTokenRecord = {
    grantId: grant.grantId,
    clientId: grant.clientId,
    scopes: grant.scopes,
    user: grant.user,
    sid: grant.sid,
    authTime: grant.authTime,
  };
  await context.store.set(keys.accessToken(token), record, context.config.ttl.accessToken);
  return token;
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
  await context.store.set(keys.revokedGrant(grantId), { reason, at: context.now() }, Math.max(ttl.accessToken, ttl.refreshToken));
}
