/**
 * The signing keys: the current one signs ID tokens, all of them are published in the JWKS and
 * verify our own tokens (id_token_hint). Keys are imported once at startup and reused.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { SigningAlg } from '../config/types.js';

/** A public key as published in the JWKS. */
export interface PublicJwk extends JWK {
  readonly kid: string;
  readonly use: 'sig';
  readonly alg: SigningAlg;
}

interface RingKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: PublicJwk;
}

/** Header members that would let a token bring its own key: never honoured. */
const EMBEDDED_KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/** The bridge's signing keys. Build with {@link KeyRing.fromKeyObjects}. */
export class KeyRing {
  private readonly byKid: ReadonlyMap<string, RingKey>;

  private constructor(private readonly keys: readonly RingKey[]) {
    this.byKid = new Map(keys.map((key) => [key.kid, key]));
  }

  /**
   * Imports private keys; the first signs with `alg`. The kid is the RFC 7638 thumbprint, so every
   * replica configured with the same key publishes the same kid.
   */
  static async fromKeyObjects(keys: readonly KeyObject[], alg: SigningAlg): Promise<KeyRing> {
    const ring = await Promise.all(
      keys.map((key, index) => importRingKey(key, index === 0 ? alg : inferAlg(key, alg))),
    );
    return new KeyRing(ring);
  }

  /** The algorithm of the signing key. */
  get alg(): SigningAlg {
    return this.keys[0]!.alg;
  }

  /** The kid of the signing key. */
  get currentKid(): string {
    return this.keys[0]!.kid;
  }

  /** The public JWK Set (public members only). */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** Signs `payload` as a JWT with the current key, `kid` in the header. */
  async sign(payload: JWTPayload, typ = 'JWT'): Promise<string> {
    const key = this.keys[0]!;
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey);
  }

  /**
   * Verifies a JWT we issued: one of our kids, that key's algorithm (so `none`, HS256 keyed with
   * our public key and foreign keys all fail), no embedded keys. With `allowExpired`, an expired
   * token is accepted (id_token_hint rules); everything else is still checked.
   * @returns the payload, or undefined when the token is not ours or not valid.
   */
  async verify(token: string, options: { issuer: string; allowExpired?: boolean }): Promise<JWTPayload | undefined> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return undefined;
    }
    if (EMBEDDED_KEY_HEADERS.some((name) => name in header)) return undefined;
    const key = typeof header.kid === 'string' ? this.byKid.get(header.kid) : undefined;
    if (!key || header.alg !== key.alg) return undefined;
    try {
      const { payload } = await jwtVerify(token, key.publicKey, { issuer: options.issuer, algorithms: [key.alg] });
      return payload;
    } catch (error) {
      if (options.allowExpired && error instanceof joseErrors.JWTExpired) return error.payload;
      return undefined;
    }
  }
}

async function importRingKey(key: KeyObject, alg: SigningAlg): Promise<RingKey> {
  const publicJwkRaw = createPublicKey(key).export({ format: 'jwk' }) as JWK;
  const privateJwk = key.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwkRaw, 'sha256');
  const publicJwk: PublicJwk = { ...publicJwkRaw, kid, use: 'sig', alg };
  return {
    kid,
    alg,
    privateKey: (await importJWK(privateJwk, alg)) as CryptoKey,
    publicKey: (await importJWK(publicJwkRaw, alg)) as CryptoKey,
    publicJwk,
  };
}

/** The algorithm an older (verification-only) key was most likely used with. */
function inferAlg(key: KeyObject, current: SigningAlg): SigningAlg {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return 'ES256';
    case 'ed25519':
      return 'EdDSA';
    case 'rsa-pss':
      return 'PS256';
    default:
      return current === 'PS256' ? 'PS256' : 'RS256';
  }
}
