/**
 * The `refresh_token` grant (RFC 6749 §6, OIDC Core §12, RFC 9700 §4.14.2).
 *
 * Steps, in order: the token must exist, belong to the authenticated client, not belong to a
 * revoked family or an ended session, and not have been rotated before (else its whole family is
 * revoked: someone holds a copy); the member is re-checked with WeCom; only then is the token
 * rotated (by the redemption's commit, which stores the new tokens in the same atomic step), so
 * two concurrent uses cannot both rotate it.
 *
 * One exception to "rotated before means reuse": within the grace window of refresh-tokens.ts,
 * the same token from its own client (two concurrent requests, a retry) gets the answer of the
 * rotation again, the same tokens, instead of revoking the family. After the window it is reuse.
 * The window never outlives the session: a revoked family or an ended session is checked first.
 */
import type { ClientConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { invalidGrant, invalidRequest, invalidScope } from '../errors/bridge-error.js';
import type { DepartmentWarn } from '../wecom/departments.js';
import { revokeGrant } from './access-tokens.js';
import { recheckMember } from './member-check.js';
import { type RawParams, readParams } from './params.js';
import type { RefreshTokenRecord } from './records.js';
import type { GrantOutcome, RepeatedRedemption } from './redemption.js';
import {
  lookupRefreshToken,
  markRotated,
  openRemembered,
  rememberedResponse,
  sessionRevoked,
} from './refresh-tokens.js';

/**
 * Validates the presented refresh token; its {@link Redemption.commit} rotates it. The grant is
 * the family with the re-checked profile (the new refresh token keeps the family's scopes); the
 * access token gets the family's scopes, or fewer when the client asked for fewer. A repeat
 * within the grace window yields the remembered answer instead.
 */
export async function redeemRefreshToken(
  context: BridgeContext,
  client: ClientConfig,
  body: RawParams,
  warn: DepartmentWarn,
): Promise<GrantOutcome> {
  const p = readParams(body, ['refresh_token', 'scope']);
  const token = p.refresh_token;
  if (token === undefined) throw invalidRequest('The refresh_token parameter is missing');
  const checked = await validRecord(context, client, token);
  if ('repeated' in checked) return checked;
  const record = checked;
  const scopes = narrowScopes(record.scopes, p.scope);
  const user = await recheckMember(context, record, warn);
  return {
    grant: { ...record, user },
    scopes,
    commit: async (writes, response) => {
      const answer = await response;
      if (await markRotated(context, token, client.clientId, record.grantId, writes, answer)) return answer;
      // Lost a race against another use of the same token: the same request of this client
      // (the winner's answer is there), or one of the two callers holds a copy.
      const earlier = await rememberedResponse(context, token, client.clientId);
      if (earlier) return earlier;
      throw await reuseDetected(context, record.grantId);
    },
  };
}

/** The record of a usable token presented by its own client, or the answer to repeat. */
async function validRecord(
  context: BridgeContext,
  client: ClientConfig,
  token: string,
): Promise<RefreshTokenRecord | RepeatedRedemption> {
  const { record, used, familyRevoked, remembered } = await lookupRefreshToken(context, token);
  if (!record) throw invalidGrant('The refresh token is invalid or expired', 'refresh_unknown');
  // Checked before reuse: another client presenting a stolen token must not be able to revoke it.
  if (record.clientId !== client.clientId)
    throw invalidGrant('The refresh token was issued to another client', 'refresh_client_mismatch');
  if (familyRevoked) throw invalidGrant('The refresh token was revoked', 'refresh_revoked');
  // Before the grace window: a repeat must not hand out the remembered (live) tokens of a
  // session that a logout or an offboarding has ended since the rotation.
  if (await sessionRevoked(context, record.sid))
    throw invalidGrant('The session of this refresh token was ended (logout)', 'refresh_session_ended');
  if (used) {
    const repeated =
      remembered === undefined ? undefined : openRemembered(token, client.clientId, remembered, context.now());
    if (repeated) return { repeated };
    throw await reuseDetected(context, record.grantId);
  }
  return record;
}

/** RFC 9700 §4.14.2: a rotated token used again means a copy exists; revoke the whole family. */
async function reuseDetected(context: BridgeContext, grantId: string) {
  await revokeGrant(context, grantId, 'refresh_reuse');
  return invalidGrant('The refresh token was already used; every token of this grant is revoked', 'refresh_reuse');
}

/** RFC 6749 §6: `scope` may only narrow the original grant. */
function narrowScopes(granted: readonly string[], requested: string | undefined): readonly string[] {
  if (requested === undefined) return granted;
  const asked = new Set(requested.split(' ').filter(Boolean));
  const extra = [...asked].filter((scope) => !granted.includes(scope));
  if (extra.length > 0) throw invalidScope('The scope exceeds the scope originally granted', 'scope_exceeds_grant');
  return granted.filter((scope) => asked.has(scope));
}
