/**
 * Configuration rules for running several replicas, and the key generator.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config/load.js';
import { parsePrivateKeys, signingKeyProblems } from '../../src/config/signing-key.js';
import type { SigningAlg } from '../../src/config/types.js';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { validEnv } from '../helpers/env.js';
import { requireBuild } from '../helpers/process.js';

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
}

describe('REDIS_URL and the signing key', () => {
  it('refuses a generated key when REDIS_URL is set, and says what to do', () => {
    const found = problems(validEnv({ REDIS_URL: 'redis://redis:6379/0' }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^SIGNING_KEY: required when REDIS_URL is set: replicas sharing one Redis must sign with one shared key/,
    );
    expect(found[0]).toContain('npm run --silent keygen > signing-key.pem');
    expect(found[0]).toContain('SIGNING_KEY_FILE=');
  });

  it('accepts a configured key, inline or from a file', () => {
    const key = generateSigningKeyPem('RS256');
    expect(problems(validEnv({ REDIS_URL: 'redis://redis:6379/0', SIGNING_KEY: key }))).toEqual([]);
    const file = join(mkdtempSync(join(tmpdir(), 'wob-key-')), 'signing-key.pem');
    writeFileSync(file, key);
    expect(loadConfig(validEnv({ REDIS_URL: 'redis://redis:6379/0', SIGNING_KEY_FILE: file })).signing.key).toBe(
      key.replace(/\n$/, ''),
    );
  });

  it('reports the key together with every other problem', () => {
    const found = problems(validEnv({ REDIS_URL: 'redis://redis:6379/0', WECOM_AGENT_ID: 'abc' }));
    expect(found.map((line) => line.split(':')[0])).toEqual(['WECOM_AGENT_ID', 'SIGNING_KEY']);
  });
});

describe('keygen', () => {
  it.each(['RS256', 'PS256', 'ES256', 'EdDSA'] as SigningAlg[])(
    'generates a PKCS#8 key the bridge accepts for %s',
    (alg) => {
      const pem = generateSigningKeyPem(alg);
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
      expect(signingKeyProblems(pem, alg)).toEqual([]);
      expect(parsePrivateKeys(pem)).toHaveLength(1);
    },
  );

  it('prints only the PEM on stdout, so it can be redirected into a file', () => {
    requireBuild();
    const run = spawnSync(process.execPath, [resolve('dist/src/keygen.js'), '--alg', 'ES256'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(signingKeyProblems(run.stdout, 'ES256')).toEqual([]);
    expect(run.stdout.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(run.stderr).toContain('keygen: generated a ES256 signing key');
    const wrong = spawnSync(process.execPath, [resolve('dist/src/keygen.js'), '--alg', 'HS256'], { encoding: 'utf8' });
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe('');
  });
});

describe('connection bounds', () => {
  it('REQUEST_TIMEOUT defaults to 15 s and allows 2-300; MAX_CONNECTIONS defaults to 4096, 0 = no limit', () => {
    expect(loadConfig(validEnv()).connections).toEqual({ requestTimeout: 15, maxConnections: 4096 });
    expect(loadConfig(validEnv({ REQUEST_TIMEOUT: '30', MAX_CONNECTIONS: '0' })).connections).toEqual({
      requestTimeout: 30,
      maxConnections: 0,
    });
    expect(problems(validEnv({ REQUEST_TIMEOUT: '1' }))).toEqual(['REQUEST_TIMEOUT: must be at least 2']);
    expect(problems(validEnv({ REQUEST_TIMEOUT: '301' }))).toEqual(['REQUEST_TIMEOUT: must be at most 300']);
    expect(problems(validEnv({ MAX_CONNECTIONS: 'many' }))).toEqual([
      'MAX_CONNECTIONS: must be a whole number (0 = no limit)',
    ]);
  });
});

describe('METRICS_ADDRESS and METRICS_TOKEN', () => {
  it('default to loopback port 9464 without a token; take host:port, [IPv6]:port or off', () => {
    expect(loadConfig(validEnv()).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig(validEnv({ METRICS_ADDRESS: '0.0.0.0:9100' })).metrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(loadConfig(validEnv({ METRICS_ADDRESS: '[::1]:9464' })).metrics).toEqual({ host: '::1', port: 9464 });
    expect(loadConfig(validEnv({ METRICS_ADDRESS: 'OFF' })).metrics).toBeUndefined();
    const token = 'a-metrics-token-0123456789';
    expect(loadConfig(validEnv({ METRICS_TOKEN: token })).metrics).toEqual({ host: '127.0.0.1', port: 9464, token });
  });

  it('refuses what is not an address, the public port, and a short token', () => {
    for (const bad of ['9464', 'localhost', 'http://127.0.0.1:9464', '127.0.0.1:70000', '::1:9464']) {
      expect(problems(validEnv({ METRICS_ADDRESS: bad })), bad).toEqual([
        'METRICS_ADDRESS: must be host:port (e.g. 127.0.0.1:9464, 0.0.0.0:9464, [::1]:9464) or off',
      ]);
    }
    expect(problems(validEnv({ PORT: '9000', METRICS_ADDRESS: '127.0.0.1:9000' }))).toEqual([
      'METRICS_ADDRESS: must use another port than PORT (9000): /metrics is never served on the public port',
    ]);
    expect(problems(validEnv({ METRICS_TOKEN: 'short' }))).toEqual([
      'METRICS_TOKEN: must be at least 16 characters (e.g. openssl rand -base64 32)',
    ]);
  });
});
