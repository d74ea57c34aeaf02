/**
 * The OpenID provider as discovery describes it: its metadata (fetched from
 * `<issuer>/.well-known/openid-configuration`, checked, cached) and its signing keys (jose's remote
 * JWKS, which caches and refetches on an unknown `kid`).
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { SignInError } from './errors.js';
import { fetchJson } from './http.js';

/** The discovery fields this relying party uses. */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly userinfo_endpoint?: string;
  readonly end_session_endpoint?: string;
  readonly token_endpoint_auth_methods_supported?: readonly string[];
  readonly code_challenge_methods_supported?: readonly string[];
  readonly id_token_signing_alg_values_supported?: readonly string[];
}

/** A discovered provider. */
export interface Provider {
  readonly metadata: ProviderMetadata;
  readonly keys: JWTVerifyGetKey;
}

/** How long a discovery document is reused; a failed discovery is not cached. */
const METADATA_TTL_MS = 10 * 60 * 1000;

/** Discovered providers by issuer, shared by every authenticator of the plugin. */
export class ProviderCache {
  private readonly entries = new Map<string, { provider: Promise<Provider>; expiresAt: number }>();

  /** The provider of `issuer`, discovered at most every 10 minutes; throws {@link SignInError}. */
  get(issuer: string): Promise<Provider> {
    const cached = this.entries.get(issuer);
    if (cached && cached.expiresAt > Date.now()) return cached.provider;
    const provider = discover(issuer);
    this.entries.set(issuer, { provider, expiresAt: Date.now() + METADATA_TTL_MS });
    provider.catch(() => this.entries.delete(issuer));
    return provider;
  }

  /** Forgets `issuer` (after an administrator changed an authenticator). */
  forget(issuer: string): void {
    this.entries.delete(issuer);
  }
}

/** The endpoints whose address must be as protected as the issuer's. */
const ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'end_session_endpoint',
] as const;

/**
 * The first endpoint that an https issuer lists over plain http (loopback hosts aside: a bridge on
 * NocoBase's own host), else undefined.
 */
export function cleartextEndpoint(issuer: string, metadata: Record<string, unknown>): string | undefined {
  if (!issuer.startsWith('https:')) return undefined;
  return ENDPOINTS.find((field) => {
    const value = metadata[field];
    if (typeof value !== 'string') return false;
    try {
      const url = new URL(value);
      return url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    } catch {
      return true;
    }
  });
}

async function discover(issuer: string): Promise<Provider> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const { status, body } = await fetchJson(url, {}, 'discovery');
  if (status !== 200 || typeof body !== 'object' || body === null) {
    throw new SignInError('provider_unreachable', `GET ${url} answered HTTP ${status} without a discovery document`);
  }
  const metadata = body as Record<string, unknown>;
  if (metadata.issuer !== issuer) {
    throw new SignInError(
      'issuer_mismatch',
      `discovery at ${url} names issuer ${JSON.stringify(metadata.issuer)}, configured ${JSON.stringify(issuer)}`,
    );
  }
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof metadata[field] !== 'string' || !/^https?:\/\//.test(metadata[field])) {
      throw new SignInError('issuer_mismatch', `discovery at ${url} has no usable ${field}`);
    }
  }
  const cleartext = cleartextEndpoint(issuer, metadata);
  if (cleartext) {
    throw new SignInError(
      'issuer_mismatch',
      `discovery at ${url} lists ${cleartext} over http under an https issuer: the client secret, codes, tokens and keys would travel in clear`,
    );
  }
  const checked = metadata as unknown as ProviderMetadata;
  const methods = checked.code_challenge_methods_supported;
  if (methods && !methods.includes('S256')) {
    throw new SignInError(
      'issuer_mismatch',
      `the provider does not support PKCE S256 (code_challenge_methods_supported: ${methods.join(', ')})`,
    );
  }
  return {
    metadata: checked,
    keys: createRemoteJWKSet(new URL(checked.jwks_uri), { timeoutDuration: 5000, cooldownDuration: 30_000 }),
  };
}
