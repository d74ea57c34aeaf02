/**
 * The token endpoint's limits that concern clients, applied around client authentication.
 *
 * A client id is public, so nothing an unauthenticated request does may spend the client's own
 * budget: RATE_LIMIT_TOKEN_PER_CLIENT counts only requests that authenticated as the client.
 * Failed authentications are counted on their own, per address and per named client (registered
 * ids by id, every other id in one shared counter, so junk ids cannot grow the counter set):
 *
 * - an address past RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP failures gets 429 for every request
 *   until the window ends, whatever secret it sends: it cannot learn whether a guess was right;
 * - a client past RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT failures (a guesser spread over many
 *   addresses) makes every address with a failure of its own get 429 before its secret is
 *   compared, which leaves each attacking address one guess per window; an address without
 *   failures (the relying party's server, which knows the secret) passes as before.
 *
 * Secrets are at least 16 random characters (the configuration refuses shorter), so the limits
 * keep guessing slow; they are never what stops it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { addressKey } from '../http/client-address.js';
import { type HitResult, storeKey, UNCAPPED } from '../store/store.js';
import { authenticateClient, claimedClientId } from './client-auth.js';
import type { RawParams } from './params.js';

const ALLOWED: HitResult = { allowed: true };

/**
 * Authenticates the token request's client within the limits above.
 * @throws the authentication's own error (401 invalid_client …) after counting it, or 429.
 */
export async function authenticateWithinLimits(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  body: RawParams,
): Promise<ClientConfig> {
  const limits = context.config.rateLimit;
  const { client, failure } = tryAuthenticate(context, request.headers.authorization, body);
  const keys = failureKeys(
    addressKey(request),
    client?.clientId ?? claimedClientId(context.clients, request.headers.authorization, body),
  );
  const budget =
    client !== undefined && limits.tokenPerClient > 0
      ? context.store.hit(
          [{ key: storeKey('rate-limit', `token:client:${client.clientId}`), max: limits.tokenPerClient }],
          limits.windowSeconds,
        )
      : Promise.resolve(ALLOWED);
  const [counts, spent] = await Promise.all([context.store.getMany([keys.address, keys.client]), budget]);
  const addressFailures = Number(counts[0] ?? 0);
  const clientFailures = Number(counts[1] ?? 0);
  if (limits.authFailuresPerIp > 0 && addressFailures >= limits.authFailuresPerIp) {
    throw tooMany(
      reply,
      limits.windowSeconds,
      limits.authFailuresPerIp,
      'Too many failed client authentications from this address',
      'client_auth_failures_address',
    );
  }
  if (limits.authFailuresPerClient > 0 && clientFailures >= limits.authFailuresPerClient && addressFailures > 0) {
    throw tooMany(
      reply,
      limits.windowSeconds,
      limits.authFailuresPerClient,
      'Too many failed client authentications for this client',
      'client_auth_failures_client',
    );
  }
  if (failure !== undefined) {
    await context.store.hit(
      [
        { key: keys.address, max: UNCAPPED },
        { key: keys.client, max: UNCAPPED },
      ],
      limits.windowSeconds,
    );
    throw failure;
  }
  if (!spent.allowed)
    throw tooMany(
      reply,
      spent.retryAfterSeconds,
      limits.tokenPerClient,
      'Too many token requests for this client',
      'rate_limited',
    );
  return client!;
}

function tryAuthenticate(
  context: BridgeContext,
  authorization: string | undefined,
  body: RawParams,
): { client?: ClientConfig; failure?: BridgeError } {
  try {
    return { client: authenticateClient(context.clients, authorization, body) };
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    return { failure: error };
  }
}

function failureKeys(address: string, clientId: string | undefined): { address: string; client: string } {
  return {
    address: storeKey('rate-limit', `token-auth-failed:ip:${address}`),
    client: storeKey(
      'rate-limit',
      `token-auth-failed:client:${clientId === undefined ? 'unregistered' : `id:${clientId}`}`,
    ),
  };
}

function tooMany(
  reply: FastifyReply,
  retryAfterSeconds: number,
  limit: number,
  description: string,
  reason: string,
): BridgeError {
  reply
    .header('retry-after', String(retryAfterSeconds))
    .header('x-ratelimit-limit', String(limit))
    .header('x-ratelimit-remaining', '0');
  return new BridgeError({
    code: 'temporarily_unavailable',
    status: 429,
    reason,
    description: `${description}; try again in ${retryAfterSeconds} seconds`,
  });
}
