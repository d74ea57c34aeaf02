/**
 * A new private signing key as PKCS#8 PEM, the form `SIGNING_KEY` / `SIGNING_KEY_FILE` take.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { SigningAlg } from '../config/types.js';

/** RSA modulus for RS256/PS256: the minimum the bridge accepts, and what every RP handles fast. */
const RSA_BITS = 2048;

/** Generates a key for `alg` and returns its unencrypted PKCS#8 PEM. */
export function generateSigningKeyPem(alg: SigningAlg): string {
  const pem = { type: 'pkcs8', format: 'pem' } as const;
  switch (alg) {
    case 'RS256':
    case 'PS256':
      // A plain RSA key serves both; an rsa-pss key would limit it to PS256 for no gain.
      return generateKeyPairSync('rsa', { modulusLength: RSA_BITS }).privateKey.export(pem) as string;
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export(pem) as string;
    case 'EdDSA':
      return generateKeyPairSync('ed25519').privateKey.export(pem) as string;
  }
}
