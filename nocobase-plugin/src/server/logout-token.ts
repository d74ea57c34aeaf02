/**
 * Verifying an OpenID Connect Back-Channel Logout 1.0 logout token (§2.6), without NocoBase: the
 * token is read unverified only to pick the authenticators it may be for (their issuer is its
 * `iss`, their client id is in its `aud`); nothing else is believed before its signature is
 * verified with that issuer's keys (discovery's `jwks_uri`). Then: `iss`, `aud`, `iat` within
 * {@link MAX_AGE_SECONDS}, `exp` when present, the `events` member, a `sub`, no `nonce`, an
 * acceptable `typ`, and a `jti` not seen before (remembered in NocoBase's cache for as long as
 * the token could be accepted; only signed tokens add entries, so the cache cannot be filled by
 * outsiders).
 */
import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { isSignInError } from './errors.js';
import { SIGNING_ALGORITHMS } from './exchange.js';
import type { KeyValueCache } from './handoff.js';
import type { Provider } from './provider.js';

/** The `events` member a logout token carries (§2.4). */
export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** How old a logout token's `iat` may be. */
export const MAX_AGE_SECONDS = 300;

/** Clock skew allowed between the provider and NocoBase. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** A logout token longer than this is refused unread (a real one is well under 2 KB). */
const MAX_TOKEN_LENGTH = 8192;

/** The `typ` headers accepted: none, the generic one, or the explicit type of §2.4. */
const ACCEPTED_TYPES = new Set([undefined, 'JWT', 'logout+jwt', 'application/logout+jwt']);

/** An authenticator a logout token may be for. */
export interface LogoutAudience {
  /** Its `issuer` option. */
  readonly issuer: string;
  /** Its `clientId` option. */
  readonly clientId: string;
}

/** A verified logout token: the authenticators it is for, and its subject. */
export interface VerifiedLogout<A extends LogoutAudience> {
  /** The authenticators whose issuer signed it and whose client id is in its `aud`. */
  readonly audiences: readonly A[];
  readonly sub: string;
  readonly sid?: string;
}

/** Why a logout token is refused (for NocoBase's log only; the answer is always `invalid_request`). */
export class LogoutTokenError extends Error {
  override readonly name = 'LogoutTokenError';
}

/** The provider could not be asked for its keys: the sender may retry (503, not 400). */
export class LogoutProviderError extends Error {
  override readonly name = 'LogoutProviderError';
}

/** What the verification needs: the discovered providers, the cache of seen `jti`s, the clock. */
export interface LogoutVerifier {
  providers: { get(issuer: string): Promise<Provider> };
  cache: KeyValueCache;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

/**
 * Verifies `token` for the authenticators among `candidates` it names. Throws
 * {@link LogoutTokenError} for any invalid token (unknown issuer or client included) and
 * {@link LogoutProviderError} when the issuer's discovery or keys cannot be fetched.
 */
export async function verifyLogoutToken<A extends LogoutAudience>(
  token: unknown,
  candidates: readonly A[],
  verifier: LogoutVerifier,
): Promise<VerifiedLogout<A>> {
  const { iss, aud } = peek(token);
  const audiences = candidates.filter((candidate) => candidate.issuer === iss && aud.includes(candidate.clientId));
  if (audiences.length === 0)
    throw new LogoutTokenError(`no enabled authenticator has issuer ${JSON.stringify(iss)} and a client id in aud`);
  const payload = await verifySigned(token as string, iss, audiences, verifier);
  await rememberJti(payload, iss, verifier);
  return { audiences, sub: payload.sub as string, ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}) };
}

/** The unverified `iss` and `aud`: only to choose whose keys verify the token. */
function peek(token: unknown): { iss: string; aud: string[] } {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token))
    throw new LogoutTokenError('logout_token is missing or not a compact JWS');
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new LogoutTokenError('logout_token does not decode as a JWT');
  }
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (typeof claims.iss !== 'string' || aud.length === 0) throw new LogoutTokenError('logout_token lacks iss or aud');
  return { iss: claims.iss, aud: aud.filter((value): value is string => typeof value === 'string') };
}

/** The signature with the issuer's keys, then the claims §2.6 requires. */
async function verifySigned(
  token: string,
  issuer: string,
  audiences: readonly LogoutAudience[],
  verifier: LogoutVerifier,
): Promise<JWTPayload> {
  let provider: Provider;
  try {
    provider = await verifier.providers.get(issuer);
  } catch (error) {
    throw new LogoutProviderError(`discovery of ${issuer}: ${(error as Error).message}`);
  }
  const offered = provider.metadata.id_token_signing_alg_values_supported;
  const algorithms = offered ? SIGNING_ALGORITHMS.filter((alg) => offered.includes(alg)) : ['RS256'];
  const now = verifier.now?.() ?? Date.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, provider.keys, {
      issuer: provider.metadata.issuer,
      audience: audiences.map((audience) => audience.clientId),
      algorithms,
      requiredClaims: ['iss', 'aud', 'iat', 'jti', 'sub', 'events'],
      maxTokenAge: MAX_AGE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now),
    }));
  } catch (error) {
    if (isSignInError(error)) throw new LogoutProviderError(error.detail);
    const code = (error as { code?: string }).code;
    // No jose code: the JWKS fetch itself failed (network); a generic jose error: it was not a 200.
    if (code === undefined || code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_TIMEOUT')
      throw new LogoutProviderError(`JWKS of ${issuer}: ${(error as Error).message}`);
    throw new LogoutTokenError(`logout_token: ${(error as Error).message}`);
  }
  const { typ } = decodeProtectedHeader(token);
  if (!ACCEPTED_TYPES.has(typ))
    throw new LogoutTokenError(`logout_token: typ ${JSON.stringify(typ)} is not logout+jwt`);
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[LOGOUT_EVENT] : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new LogoutTokenError(`logout_token: events lacks ${LOGOUT_EVENT}`);
  if ('nonce' in payload) throw new LogoutTokenError('logout_token: carries a nonce (an ID token?)');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new LogoutTokenError('logout_token: no sub');
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256)
    throw new LogoutTokenError('logout_token: no usable jti');
  return payload;
}

/**
 * Refuses a `jti` this issuer already used, and remembers this one until the token could no longer
 * be accepted anyway (its `exp` or its `iat` plus the allowed age, whichever comes first, plus the
 * tolerance). Not atomic across processes: two identical deliveries at the same instant may both
 * pass, which ends the same sessions twice and nothing more.
 */
async function rememberJti(payload: JWTPayload, issuer: string, verifier: LogoutVerifier): Promise<void> {
  const key = `bcl-jti:${createHash('sha256').update(`${issuer}\n${payload.jti}`).digest('base64url')}`;
  if (await verifier.cache.get(key)) throw new LogoutTokenError('logout_token: jti already used');
  const now = verifier.now?.() ?? Date.now();
  const acceptedUntil = Math.min(
    typeof payload.exp === 'number' ? payload.exp : Number.POSITIVE_INFINITY,
    (payload.iat as number) + MAX_AGE_SECONDS,
  );
  const ttl = Math.max(1000, (acceptedUntil + CLOCK_TOLERANCE_SECONDS) * 1000 - now);
  await verifier.cache.set(key, 1, Math.min(ttl, (MAX_AGE_SECONDS + 2 * CLOCK_TOLERANCE_SECONDS) * 1000));
}
