/**
 * ID tokens: exactly `iss`, `sub`, `aud`, `exp`, `iat`, `auth_time`, `nonce` (only when the
 * authorization request had one: NocoBase sends none and fails on an unexpected nonce), `sid`.
 * No `nbf` (openid-client has zero clock tolerance), profile claims only at /userinfo.
 */
import { type BridgeContext, epochSeconds } from '../context.js';
import { subjectOf } from './claims.js';
import type { GrantData } from './records.js';

/** Signs the ID token of `grant`. */
export async function signIdToken(
  context: BridgeContext,
  grant: GrantData,
  nonce: string | undefined,
): Promise<string> {
  const now = epochSeconds(context);
  return context.keys.sign({
    iss: context.config.publicUrl,
    sub: subjectOf(context.config, grant.user.userid),
    aud: grant.clientId,
    exp: now + context.config.ttl.idToken,
    iat: now,
    auth_time: grant.authTime,
    ...(nonce === undefined ? {} : { nonce }),
    sid: grant.sid,
  });
}
