/**
 * Where the signing keys come from: `SIGNING_KEY` / `SIGNING_KEY_FILE`, or a key generated once
 * and kept in `DATA_DIR` so that it survives restarts (tokens stay verifiable, RPs' cached JWKS
 * stay valid).
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { parsePrivateKeys } from '../config/signing-key.js';
import type { Config, SigningAlg } from '../config/types.js';
import { KeyRing } from './key-ring.js';

/** A problem that stops startup (e.g. DATA_DIR not writable), reported like a configuration error. */
export class KeySetupError extends Error {
  override name = 'KeySetupError';
}

/** Logger subset used here. */
export interface KeyLog {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

/** Loads the configured keys, or loads/generates the kept one. */
export async function loadKeyRing(config: Config, log: KeyLog): Promise<KeyRing> {
  const { key, alg, dataDir } = config.signing;
  if (key !== undefined) return KeyRing.fromKeyObjects(parsePrivateKeys(key), alg);
  const keyObject = await keptKey(dataDir, alg, log);
  return KeyRing.fromKeyObjects([keyObject], alg);
}

/** The file a generated key of `alg` is kept in. */
export function keptKeyPath(dataDir: string, alg: SigningAlg): string {
  return join(resolve(dataDir), `signing-key-${alg}.jwk.json`);
}

async function keptKey(dataDir: string, alg: SigningAlg, log: KeyLog): Promise<KeyObject> {
  const path = keptKeyPath(dataDir, alg);
  const existing = readExisting(path);
  if (existing) {
    log.info({ path }, 'using the signing key kept in DATA_DIR');
    return existing;
  }
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const jwk = await exportJWK(privateKey);
  try {
    mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return readExisting(path) ?? failUnreadable(path);
    throw new KeySetupError(
      `DATA_DIR: cannot keep the generated signing key at ${path} (${code ?? 'write failed'}); make DATA_DIR writable or set SIGNING_KEY`,
    );
  }
  log.warn(
    { path },
    'generated a signing key and kept it in DATA_DIR; several replicas must share one configured SIGNING_KEY instead',
  );
  return createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
}

/**
 * The key kept at `path`, or undefined when there is none yet.
 * @throws {KeySetupError} when the file exists but is unreadable.
 */
export function readKeptKey(path: string): KeyObject | undefined {
  return readExisting(path);
}

function readExisting(path: string): KeyObject | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parsePrivateKeys(text)[0];
  } catch {
    return failUnreadable(path);
  }
}

function failUnreadable(path: string): never {
  throw new KeySetupError(
    `DATA_DIR: the kept signing key ${path} is unreadable; restore it or delete it to generate a new one`,
  );
}
