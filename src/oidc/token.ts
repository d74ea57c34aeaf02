/**
 * `POST /token`: authenticate the client, run the grant, answer with `no-store` JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { BridgeError, invalidRequest, unsupportedGrantType } from '../errors/bridge-error.js';
import { issueAccessToken } from './access-tokens.js';
import { redeemCode } from './code-grant.js';
import { signIdToken } from './id-token.js';
import { readParam, type RawParams } from './params.js';

/** Registers POST /token (and a 405 for other methods). */
export function registerToken(app: FastifyInstance, context: BridgeContext): void {
  app.post('/token', { config: { errorMode: 'json' } }, (request, reply) => token(request, reply, context));
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
  if (grantType !== 'authorization_code') throw unsupportedGrantType(`Unsupported grant_type: ${grantType}`);
  const grant = await redeemCode(context, client, body);
  const [accessToken, idToken] = await Promise.all([issueAccessToken(context, grant), signIdToken(context, grant, grant.nonce)]);
  context.metrics.tokensIssued.labels('authorization_code').inc();
  return reply
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: context.config.ttl.accessToken,
      id_token: idToken,
      scope: grant.scopes.join(' '),
    });
}

/** The token endpoint takes form bodies only (RFC 6749 §3.2). */
function formBody(request: FastifyRequest): RawParams {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw invalidRequest('The token request must be application/x-www-form-urlencoded', 'unsupported_content_type');
  }
  return request.body as RawParams;
}
