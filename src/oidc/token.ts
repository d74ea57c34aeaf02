/**
 * `POST /token`: authenticate the client, run the grant, answer with `no-store` JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { BridgeError, invalidRequest, unsupportedGrantType } from '../errors/bridge-error.js';
import { issueAccessToken } from './access-tokens.js';
import { redeemCode } from './code-grant.js';
import { signIdToken } from './id-token.js';
import { assertPlainKeys, readParam, type RawParams } from './params.js';
import type { GrantData } from './records.js';
import { redeemRefreshToken } from './refresh-grant.js';
import { issueRefreshToken } from './refresh-tokens.js';

/** What a grant yields: the grant to issue for, the access token's scopes and the nonce to echo. */
interface Issuance {
  readonly grant: GrantData;
  readonly scopes: readonly string[];
  readonly nonce?: string | undefined;
}

/** Registers POST /token (and a 405 for other methods). */
export function registerToken(app: FastifyInstance, context: BridgeContext): void {
  app.post('/token', { config: { errorMode: 'json', limit: 'token' } }, (request, reply) => token(request, reply, context));
  app.get('/token', { config: { errorMode: 'json' } }, async (_request, reply) => {
    reply.header('allow', 'POST');
    throw new BridgeError({ code: 'invalid_request', status: 405, reason: 'method_not_allowed', description: 'Use POST for the token endpoint' });
  });
}

async function token(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const body = formBody(request);
  const client = context.clients.authenticate(request.headers.authorization, body);
  const grantType = readParam(body, 'grant_type');
  if (grantType === undefined) throw invalidRequest('The grant_type parameter is missing');
  const issuance = await runGrant(grantType, context, client, body);
  const response = await tokenResponse(context, issuance);
  context.metrics.tokensIssued.labels(grantType).inc();
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
}

async function runGrant(grantType: string, context: BridgeContext, client: ClientConfig, body: RawParams): Promise<Issuance> {
  if (grantType === 'authorization_code') {
    const code = await redeemCode(context, client, body);
    return { grant: code, scopes: code.scopes, nonce: code.nonce };
  }
  if (grantType === 'refresh_token') return redeemRefreshToken(context, client, body);
  throw unsupportedGrantType('Unsupported grant_type (use authorization_code or refresh_token)');
}

/**
 * The token response: an access token for the issued scopes; an ID token while `openid` is among
 * them (a refreshed one keeps iss, sub, aud, auth_time and sid, gets a new iat and no nonce:
 * OIDC Core §12.2); a new refresh token whenever the grant has `offline_access` (rotation).
 */
async function tokenResponse(context: BridgeContext, issuance: Issuance): Promise<Record<string, unknown>> {
  const { grant, scopes } = issuance;
  const [accessToken, idToken, refreshToken] = await Promise.all([
    issueAccessToken(context, { ...grant, scopes }),
    scopes.includes('openid') ? signIdToken(context, grant, issuance.nonce) : undefined,
    grant.scopes.includes('offline_access') ? issueRefreshToken(context, grant) : undefined,
  ]);
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: context.config.ttl.accessToken,
    ...(idToken === undefined ? {} : { id_token: idToken }),
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    scope: scopes.join(' '),
  };
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
