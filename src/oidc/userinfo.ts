/**
 * `GET|POST /userinfo`: claims for a bearer access token (RFC 6750: header, form body or query;
 * exactly one of them).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { invalidRequest, invalidToken } from '../errors/bridge-error.js';
import { findAccessToken } from './access-tokens.js';
import { userinfoClaims } from './claims.js';
import { assertPlainKeys, type RawParams, readParam } from './params.js';

/** RFC 6750 §3.1: a request without any credentials gets a challenge without an error code. */
const NO_CREDENTIALS = { challenge: 'Bearer realm="wecom-oidc-bridge"' } as const;

/** Registers GET and POST /userinfo. */
export function registerUserinfo(app: FastifyInstance, context: BridgeContext): void {
  const handler = (request: FastifyRequest, reply: FastifyReply) => userinfo(request, reply, context);
  app.get('/userinfo', { config: { errorMode: 'bearer' } }, handler);
  app.post('/userinfo', { config: { errorMode: 'bearer' } }, handler);
}

async function userinfo(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const token = bearerToken(request);
  const record = await findAccessToken(context, token);
  if (!record) throw invalidToken('The access token is invalid, expired or revoked');
  return reply
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .header('access-control-allow-origin', '*')
    .send(userinfoClaims(record.user, record.scopes, context.config));
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const fromHeader = header === undefined ? undefined : /^Bearer +([\x21-\x7E]+) *$/i.exec(header)?.[1];
  if (header !== undefined && fromHeader === undefined)
    throw invalidToken('The Authorization header is not a Bearer token', 'token_malformed');
  const body = request.method === 'POST' && isForm(request) ? (request.body as RawParams) : undefined;
  assertPlainKeys(request.query as RawParams);
  assertPlainKeys(body);
  const fromBody = readParam(body, 'access_token');
  const fromQuery = readParam(request.query as RawParams, 'access_token');
  const found = [fromHeader, fromBody, fromQuery].filter((value) => value !== undefined);
  if (found.length > 1)
    throw invalidRequest('Send the access token in exactly one way (RFC 6750 section 2)', 'token_multiple');
  if (found.length === 0) throw invalidToken('An access token is required', 'token_missing', NO_CREDENTIALS);
  return found[0]!;
}

function isForm(request: FastifyRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
}
