/**
 * The `authorization_code` grant (RFC 6749 §4.1.3, OIDC Core §3.1.3.2).
 *
 * Checks run in the order of OIDC Core §3.1.3.2 and, crucially, before the code is consumed, so
 * that a request with a wrong redirect URI or verifier cannot burn someone else's code. Consuming
 * is an atomic first-claim of the code's "used" mark that also stores the tokens issued for the
 * code and deletes the code's record; a second redemption (by the same client) finds the mark and
 * revokes every token the first one produced (RFC 6749 §4.1.2).
 */
import { createHash } from 'node:crypto';
import type { ClientConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { safeEqual, sha256 } from '../crypto/secrets.js';
import { type BridgeError, invalidGrant, invalidRequest } from '../errors/bridge-error.js';
import type { StoreWrite } from '../store/store.js';
import { revokeGrant } from './access-tokens.js';
import { indexGrant } from './member-index.js';
import { type RawParams, readParams } from './params.js';
import { type CodeRecord, codeKeys } from './records.js';
import type { Redemption } from './redemption.js';
import { sessionRevoked } from './refresh-tokens.js';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Validates the code; its {@link Redemption.commit} consumes it. */
export async function redeemCode(context: BridgeContext, client: ClientConfig, body: RawParams): Promise<Redemption> {
  const p = readParams(body, ['code', 'redirect_uri', 'code_verifier']);
  if (p.code === undefined) throw invalidRequest('The code parameter is missing');
  // The code and its "used" mark in one round trip. Redeeming deletes the code's record and leaves
  // the mark, which outlives it: a replay (at once or after CODE_TTL) is recognised by the mark and
  // still revokes what the code yielded.
  const codeHash = sha256(p.code);
  const stored: CodeKeys = { record: codeKeys.record(codeHash), used: codeKeys.used(codeHash) };
  const [record, used] = (await context.store.getMany([stored.record, stored.used])) as [
    CodeRecord | undefined,
    UsedMark | undefined,
  ];
  // As for a live code, only its own client's replay revokes (another client cannot burn it).
  if (!record && used?.clientId === client.clientId) throw await replayed(context, used.grantId);
  if (!record) throw invalidGrant('The authorization code is invalid or expired', 'code_unknown');
  if (record.clientId !== client.clientId)
    throw invalidGrant('The authorization code was issued to another client', 'code_client_mismatch');
  if (p.redirect_uri !== record.redirectUri) {
    throw invalidGrant('redirect_uri does not match the one of the authorization request', 'code_redirect_mismatch');
  }
  checkPkce(record.codeChallenge, p.code_verifier);
  // A member ended (offboarding) or signed out after the code was issued gets no tokens for it.
  if (await sessionRevoked(context, record.sid))
    throw invalidGrant('The session of this authorization code was ended', 'code_session_ended');
  return {
    grant: record,
    scopes: record.scopes,
    nonce: record.nonce,
    commit: async (writes, response) => {
      await consume(context, stored, record, writes);
      return response;
    },
  };
}

/** The store keys of one code (both from one hash of it). */
interface CodeKeys {
  readonly record: string;
  readonly used: string;
}

/** What the "used" mark of a redeemed code records: the grant to revoke on a replay, and whose it is. */
interface UsedMark {
  readonly grantId: string;
  readonly clientId: string;
}

async function consume(
  context: BridgeContext,
  stored: CodeKeys,
  record: CodeRecord,
  writes: readonly StoreWrite[],
): Promise<void> {
  const mark: UsedMark = { grantId: record.grantId, clientId: record.clientId };
  // The code's record goes in the same step: the mark alone answers a replay from now on, and a
  // redeemed code (its user's profile) does not sit in the store until CODE_TTL. So does the
  // callback result that would repeat the redirect carrying it (records.ts, CodeRecord).
  const gone = record.callbackResult === undefined ? [stored.record] : [stored.record, record.callbackResult];
  if (await context.store.claim(stored.used, mark, usedMarkTtl(context, record), writes, gone)) {
    await indexGrant(context, record, usedMarkTtl(context, record));
    return;
  }
  throw await replayed(context, record.grantId);
}

/** RFC 6749 §4.1.2: a code used twice revokes every token issued from it. */
async function replayed(context: BridgeContext, grantId: string): Promise<BridgeError> {
  await revokeGrant(context, grantId, 'code_replay');
  return invalidGrant('The authorization code was already used; the tokens issued for it are revoked', 'code_replay');
}

/** RFC 7636 §4.6, S256 only; a verifier without a challenge is a downgrade attempt. */
function checkPkce(challenge: string | undefined, verifier: string | undefined): void {
  if (challenge === undefined) {
    if (verifier !== undefined)
      throw invalidGrant('code_verifier sent, but the authorization request had no code_challenge', 'pkce_unexpected');
    return;
  }
  if (verifier === undefined) throw invalidGrant('code_verifier is required for this code', 'pkce_missing');
  if (!VERIFIER.test(verifier))
    throw invalidGrant('code_verifier is malformed (43-128 unreserved characters)', 'pkce_malformed');
  const computed = createHash('sha256').update(verifier).digest('base64url');
  if (!safeEqual(computed, challenge))
    throw invalidGrant('code_verifier does not match the code_challenge', 'pkce_mismatch');
}

/**
 * The "used" mark lives as long as anything the code yielded (the access token; the refresh
 * token family when the grant has offline_access), so a replay at any time before they all
 * expired still revokes them.
 */
function usedMarkTtl(context: BridgeContext, record: CodeRecord): number {
  const { ttl } = context.config;
  return Math.max(ttl.code, ttl.accessToken, record.scopes.includes('offline_access') ? ttl.refreshToken : 0);
}
