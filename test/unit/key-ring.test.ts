/**
 * Key rotation in one process: a JWK Set (as SIGNING_KEY may be given) whose first key signs and
 * whose older keys, of any algorithm, stay published and keep verifying what they signed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { importJWK, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { parsePrivateKeys } from '../../src/config/signing-key.js';
import { KeyRing } from '../../src/keys/key-ring.js';

const ISSUER = 'https://sso.example.com';

function privateJwk(type: 'rsa' | 'ec'): JWK {
  const { privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'jwk' }) as JWK;
}

describe('a key ring from a JWK Set', () => {
  it('signs with the first key and still verifies tokens the older key (another algorithm) signed', async () => {
    const current = privateJwk('rsa');
    const older = privateJwk('ec');
    const ring = await KeyRing.fromKeyObjects(parsePrivateKeys(JSON.stringify({ keys: [current, older] })), 'RS256');
    const published = ring.jwks().keys;
    expect(published.map((key) => key.alg)).toEqual(['RS256', 'ES256']);
    expect(published.every((key) => key.use === 'sig' && !('d' in key))).toBe(true);
    expect(ring.currentKid).toBe(published[0]!.kid);

    const fresh = await ring.sign({ iss: ISSUER, sub: 'zhangsan', exp: Math.floor(Date.now() / 1000) + 60 });
    expect(await ring.verify(fresh, { issuer: ISSUER })).toMatchObject({ sub: 'zhangsan' });

    // A token the older key signed before the rotation: published kid, its own algorithm.
    const olderKid = published[1]!.kid;
    const oldToken = await new SignJWT({ iss: ISSUER, sub: 'lisi', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: olderKid, typ: 'JWT' })
      .sign(await importJWK(older, 'ES256'));
    expect(await ring.verify(oldToken, { issuer: ISSUER })).toMatchObject({ sub: 'lisi' });

    // The older key's kid with the current key's algorithm is not ours.
    const confused = await new SignJWT({ iss: ISSUER, sub: 'lisi', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: olderKid, typ: 'JWT' })
      .sign(await importJWK(current, 'RS256'));
    expect(await ring.verify(confused, { issuer: ISSUER })).toBeUndefined();
  });

  it('after the older key is removed, its tokens no longer verify', async () => {
    const current = privateJwk('rsa');
    const older = privateJwk('ec');
    const rotated = await KeyRing.fromKeyObjects(parsePrivateKeys(JSON.stringify({ keys: [current, older] })), 'RS256');
    const olderKid = rotated.jwks().keys[1]!.kid;
    const oldToken = await new SignJWT({ iss: ISSUER, sub: 'lisi', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: olderKid, typ: 'JWT' })
      .sign(await importJWK(older, 'ES256'));
    const retired = await KeyRing.fromKeyObjects(parsePrivateKeys(JSON.stringify({ keys: [current] })), 'RS256');
    expect(retired.jwks().keys.map((key) => key.kid)).toEqual([rotated.currentKid]);
    expect(await retired.verify(oldToken, { issuer: ISSUER })).toBeUndefined();
  });
});
