/**
 * Authorization codes: minted after a WeCom login (or from an SSO session), redeemed once.
 *
 * A code is 256 random bits, stored under its hash for CODE_TTL, bound to the client, the
 * redirect URI, the nonce, the PKCE challenge, the session and the user.
 */
import type { BridgeContext } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';
import type { StoreWrite } from '../store/store.js';
import { type AuthRequest, type CodeRecord, keys, type SessionRecord } from './records.js';
import { withQuery } from './redirect.js';

/** Mints a code for `request` on behalf of `session`; returns the success redirect URL. */
export async function issueCodeRedirect(
  context: BridgeContext,
  request: AuthRequest,
  session: SessionRecord,
): Promise<string> {
  const { location, write } = mintCode(context, request, session);
  await context.store.set(write.key, write.value, write.ttlSeconds);
  return location;
}

/**
 * A new code for `request` on behalf of `session`: the success redirect URL and the store write
 * that makes the code redeemable (not performed here, so that the callback can batch it).
 * `callbackResult` is the key of the callback result that will repeat this redirect, if any.
 */
export function mintCode(
  context: BridgeContext,
  request: AuthRequest,
  session: SessionRecord,
  callbackResult?: string,
): { location: string; write: StoreWrite } {
  const code = randomSecret();
  const record: CodeRecord = {
    grantId: randomSecret(16),
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    user: session.user,
    sid: session.sid,
    authTime: session.authTime,
    ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
    ...(request.codeChallenge === undefined ? {} : { codeChallenge: request.codeChallenge }),
    ...(callbackResult === undefined ? {} : { callbackResult }),
  };
  return {
    location: withQuery(request.redirectUri, { code, state: request.state }),
    write: { key: keys.code(code), value: record, ttlSeconds: context.config.ttl.code },
  };
}
