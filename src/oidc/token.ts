/**
 * `POST /token`: authenticate the client (within its limits: client-limits.ts), run the grant,
 * answer with `no-store` JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { BridgeError, invalidRequest, unsupportedGrantType } from '../errors/bridge-error.js';
import type { DepartmentWarn } from '../wecom/departments.js';
import { mintAccessToken } from './access-tokens.js';
import { authenticateWithinLimits } from './client-limits.js';
import { redeemCode } from './code-grant.js';
import { signIdToken } from './id-token.js';
import { assertPlainKeys, type RawParams, readParam } from './params.js';
import type { GrantOutcome, Redemption, TokenResponse } from './redemption.js';
import { redeemRefreshToken } from './refresh-grant.js';
import { mintRefreshToken } from './refresh-tokens.js';

/** Registers POST /token (and a 405 for other methods). */
export function registerToken(app: FastifyInstance, context: BridgeContext): void {
  app.post('/token', { config: { errorMode: 'json', limit: 'token' } }, (request, reply) =>
    token(request, reply, context),
  );
  app.get('/token', { config: { errorMode: 'json' } }, async (_request, reply) => {
    reply.header('allow', 'POST');
    throw new BridgeError({
      code: 'invalid_request',
      status: 405,
      reason: 'method_not_allowed',
      description: 'Use POST for the token endpoint',
    });
  });
}

async function token(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const body = formBody(request);
  const client = await authenticateWithinLimits(request, reply, context, body);
  const grantType = readParam(body, 'grant_type');
  if (grantType === undefined) throw invalidRequest('The grant_type parameter is missing');
  const warn = (message: string, details: Record<string, unknown>) => request.log.warn(details, message);
  const outcome = await runGrant(grantType, context, client, body, warn);
  const response = 'repeated' in outcome ? outcome.repeated : await tokenResponse(context, outcome);
  context.metrics.tokensIssued.labels(grantType).inc();
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
}

function runGrant(
  grantType: string,
  context: BridgeContext,
  client: ClientConfig,
  body: RawParams,
  warn: DepartmentWarn,
): Promise<GrantOutcome> {
  if (grantType === 'authorization_code') return redeemCode(context, client, body);
  if (grantType === 'refresh_token') return redeemRefreshToken(context, client, body, warn);
  throw unsupportedGrantType('Unsupported grant_type (use authorization_code or refresh_token)');
}

/**
 * The token response: an access token for the issued scopes; an ID token while `openid` is among
 * them (a refreshed one keeps iss, sub, aud, auth_time and sid, gets a new iat and no nonce:
 * OIDC Core §12.2); a new refresh token whenever the grant has `offline_access` (rotation).
 * The tokens are stored by the redemption's commit; the signature is computed meanwhile (the
 * code grant commits while it runs; a refresh waits for it, since it remembers the whole answer
 * for a repeat), and thrown away when the commit loses (a replay).
 */
async function tokenResponse(context: BridgeContext, redemption: Redemption): Promise<TokenResponse> {
  const { grant, scopes } = redemption;
  const accessToken = mintAccessToken(context, grant, scopes);
  const refreshToken = grant.scopes.includes('offline_access') ? mintRefreshToken(context, grant) : undefined;
  const writes = refreshToken === undefined ? [accessToken.write] : [accessToken.write, refreshToken.write];
  const idToken = scopes.includes('openid') ? signIdToken(context, grant, redemption.nonce) : undefined;
  const response = (async () => ({
    access_token: accessToken.token,
    token_type: 'Bearer',
    expires_in: context.config.ttl.accessToken,
    ...(idToken === undefined ? {} : { id_token: await idToken }),
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken.token }),
    scope: scopes.join(' '),
  }))();
  // A commit that loses throws before awaiting the response: its failure, if any, is moot.
  response.catch(() => {});
  return redemption.commit(writes, response);
}

/** The token endpoint takes form bodies only (RFC 6749 §3.2). */
function formBody(request: FastifyRequest): RawParams {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw invalidRequest('The token request must be application/x-www-form-urlencoded', 'unsupported_content_type');
  }
  const body = request.body as RawParams;
  assertPlainKeys(body);
  return body;
}
