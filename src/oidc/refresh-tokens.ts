/**
 * Opaque refresh tokens (issued when the scope has `offline_access`).
 *
 * A token is `<grantId>.<256 random bits>`, stored under its hash for REFRESH_TOKEN_TTL. Like
 * access tokens it carries its grant id, so one store round trip fetches the token, the mark
 * left when it was rotated, its family's revocation mark and the answer remembered for a repeat.
 *
 * Grace window: a relying party may send one refresh twice (two workers, a retry after a lost
 * response). Within {@link REPEAT_GRACE_SECONDS} of the rotation, the same token from the same
 * client gets the same answer instead of counting as reuse. That answer (live tokens) is stored
 * sealed under a key derived from the presented token itself, which the store never holds: a
 * reader of the store cannot open it.
 */
import type { BridgeContext } from '../context.js';
import { seal, unseal } from '../crypto/seal.js';
import { randomSecret } from '../crypto/secrets.js';
import type { StoreWrite } from '../store/store.js';
import type { MintedToken } from './access-tokens.js';
import { type GrantData, keys, type RefreshTokenRecord, tokenRecord } from './records.js';
import type { TokenResponse } from './redemption.js';

/** How long after a rotation the same token, from the same client, gets the same answer. */
export const REPEAT_GRACE_SECONDS = 10;

/** What the store knows about a presented refresh token. */
export interface RefreshTokenLookup {
  /** The record; undefined when unknown or expired. */
  readonly record?: RefreshTokenRecord;
  /** The token was already rotated: presenting it again is reuse (outside the grace window). */
  readonly used: boolean;
  /** Its family (grant) is revoked. */
  readonly familyRevoked: boolean;
  /** The sealed answer of its rotation, while the grace window lasts. */
  readonly remembered?: string;
}

/** Longest token looked up at all (ours are 66 characters). */
const MAX_TOKEN_LENGTH = 200;

/** Mints a refresh token of `grant`'s family (with the family's scopes); nothing is stored yet. */
export function mintRefreshToken(context: BridgeContext, grant: GrantData): MintedToken {
  const token = `${grant.grantId}.${randomSecret()}`;
  return {
    token,
    write: {
      key: keys.refreshToken(token),
      value: tokenRecord(grant, grant.scopes),
      ttlSeconds: context.config.ttl.refreshToken,
    },
  };
}

/** Looks a presented token up; a malformed one is simply unknown. */
export async function lookupRefreshToken(context: BridgeContext, token: string): Promise<RefreshTokenLookup> {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > MAX_TOKEN_LENGTH) return { used: false, familyRevoked: false };
  const grantId = token.slice(0, dot);
  const [record, used, revoked, remembered] = await context.store.getMany([
    keys.refreshToken(token),
    keys.refreshTokenUsed(token),
    keys.revokedGrant(grantId),
    keys.refreshRepeat(token),
  ]);
  return {
    ...(record === undefined ? {} : { record: record as RefreshTokenRecord }),
    used: used !== undefined,
    familyRevoked: revoked !== undefined,
    ...(typeof remembered === 'string' ? { remembered } : {}),
  };
}

/**
 * Marks `token` as rotated and, in the same atomic step, stores `successors` (the new tokens)
 * and the sealed `response` for a repeat within the grace window. Atomic across replicas: of two
 * concurrent uses exactly one gets true (and its writes stored); the other finds the answer.
 */
export async function markRotated(
  context: BridgeContext,
  token: string,
  clientId: string,
  grantId: string,
  successors: readonly StoreWrite[],
  response: TokenResponse,
): Promise<boolean> {
  const remember: StoreWrite = {
    key: keys.refreshRepeat(token),
    value: seal(token, repeatContext(clientId), JSON.stringify(response), context.now()),
    ttlSeconds: REPEAT_GRACE_SECONDS,
  };
  return context.store.claim(
    keys.refreshTokenUsed(token),
    { grantId, at: context.now() },
    context.config.ttl.refreshToken,
    [...successors, remember],
  );
}

/** The answer remembered for `token`'s rotation, if `clientId` is its client and it is still there. */
export async function rememberedResponse(
  context: BridgeContext,
  token: string,
  clientId: string,
): Promise<TokenResponse | undefined> {
  const sealed = await context.store.get<string>(keys.refreshRepeat(token));
  return typeof sealed === 'string' ? openRemembered(token, clientId, sealed, context.now()) : undefined;
}

/** Opens a remembered answer (undefined when it was sealed for another client, or altered). */
export function openRemembered(
  token: string,
  clientId: string,
  sealed: string,
  nowMs: number,
): TokenResponse | undefined {
  const json = unseal(token, repeatContext(clientId), sealed, nowMs, REPEAT_GRACE_SECONDS).plaintext;
  return json === undefined ? undefined : (JSON.parse(json) as TokenResponse);
}

/** Whether the session `sid` was ended by a logout (its refresh tokens are then dead). */
export async function sessionRevoked(context: BridgeContext, sid: string): Promise<boolean> {
  return (await context.store.get(keys.revokedSid(sid))) !== undefined;
}

function repeatContext(clientId: string): string {
  return `refresh-repeat v1\n${clientId}`;
}
