/**
 * Authorization codes: minted after a WeCom login (or from an SSO session), redeemed once.
 *
 * A code is 256 random bits, stored under its hash for CODE_TTL, bound to the client, the
 * redirect URI, the nonce, the PKCE challenge, the session and the user.
 */
import type { BridgeContext } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';
import { keys, type AuthRequest, type CodeRecord, type SessionRecord } from './records.js';
import { withQuery } from './redirect.js';

/** Mints a code for `request` on behalf of `session`; returns the success redirect URL. */
export async function issueCodeRedirect(context: BridgeContext, request: AuthRequest, session: SessionRecord): Promise<string> {
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
  };
  await context.store.set(keys.code(code), record, context.config.ttl.code);
  return withQuery(request.redirectUri, { code, state: request.state });
}
