/**
 * `SIGNING_KEY`: the format of private signing key material (PEM or JWK), parsed and checked
 * synchronously, so that the configuration loader can report a bad key together with every other
 * problem. The key ring (`keys/`) reads the keys with the same parser.
 *
 * `SIGNING_KEY` may hold several keys, for rotation without downtime: several PEM blocks, or a JWK
 * Set `{"keys":[…]}`. The first key signs; the others stay in the JWKS so that tokens they signed
 * still verify until they are removed.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { SigningAlg } from './types.js';

const PEM_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/g;

/** Parses `text` into private keys, or throws an Error whose message says what is wrong. */
export function parsePrivateKeys(text: string): KeyObject[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return parseJwkText(trimmed);
  const blocks = trimmed.match(PEM_BLOCK);
  if (!blocks) throw new Error('is neither a PEM private key (-----BEGIN PRIVATE KEY-----) nor JWK JSON');
  return blocks.map((pem, index) => {
    try {
      return createPrivateKey({ key: pem, format: 'pem' });
    } catch {
      throw new Error(`PEM block ${index + 1} is not a readable private key (expected PKCS#8, unencrypted)`);
    }
  });
}

function parseJwkText(text: string): KeyObject[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('looks like JSON but does not parse');
  }
  const list = (json as { keys?: unknown }).keys;
  const jwks = Array.isArray(list) ? list : [json];
  if (jwks.length === 0) throw new Error('is an empty JWK Set');
  return jwks.map((jwk, index) => {
    if (typeof jwk !== 'object' || jwk === null || !('d' in jwk)) {
      throw new Error(`JWK ${index + 1} is not a private key (it has no "d")`);
    }
    try {
      return createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    } catch {
      throw new Error(`JWK ${index + 1} is not a valid private key`);
    }
  });
}

/** Returns why `key` cannot sign with `alg`, or undefined when it can. */
export function keyAlgProblem(key: KeyObject, alg: SigningAlg): string | undefined {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (alg) {
    case 'RS256':
    case 'PS256':
      if (type !== 'rsa' && !(alg === 'PS256' && type === 'rsa-pss'))
        return `is a ${type} key; ${alg} needs an RSA key`;
      if ((details.modulusLength ?? 0) < 2048)
        return `is an RSA key of ${details.modulusLength} bits; at least 2048 are required`;
      return undefined;
    case 'ES256':
      return type === 'ec' && details.namedCurve === 'prime256v1'
        ? undefined
        : `is a ${type} key; ES256 needs an EC P-256 key`;
    case 'EdDSA':
      return type === 'ed25519' ? undefined : `is a ${type} key; EdDSA needs an Ed25519 key`;
  }
}

/** Checks key text against the algorithm; returns every problem as text (for the config loader). */
export function signingKeyProblems(text: string, alg: SigningAlg): string[] {
  let keys: KeyObject[];
  try {
    keys = parsePrivateKeys(text);
  } catch (error) {
    return [(error as Error).message];
  }
  // Only the signing key must fit SIGNING_ALG; older keys keep the algorithm they were made for.
  const problem = keyAlgProblem(keys[0]!, alg);
  return problem ? [`the first (signing) key ${problem} (SIGNING_ALG=${alg})`] : [];
}
