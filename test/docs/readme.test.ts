/**
 * The deployment snippets work as printed: the README's `docker run` line, the compose file of
 * docs/operations.md with its `.env`, the configuration error of docs/configuration.md,
 * `.env.example` and NocoBase's variables all load with the real config loader,
 * and what they promise about each other (ports, volumes, service names, secrets) holds.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parseYaml } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError, loadConfig } from '../../src/config/load.js';
import { ROOT, snippet } from './markdown.js';

const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'docs-test-'));
}

/** A PKCS#8 PEM RSA key in a file, like `openssl genpkey -algorithm RSA` writes. */
function signingKeyFile(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(tempDir(), 'signing-key.pem');
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return path;
}

describe('README: docker run', () => {
  const text = snippet('README.md', 'docker-run').replace(/\\\n\s*/g, ' ');
  const [build, run] = text.trim().split('\n');

  it('passes a configuration that loads', () => {
    const env = Object.fromEntries([...run!.matchAll(/-e (\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    const config = loadConfig({ ...env, DATA_DIR: tempDir() });
    expect(config.publicUrl).toBe('https://sso.example.com');
    expect(config.domainVerifyFiles).toEqual([{ name: 'WW_verify_AbC123xYz.txt', content: 'AbC123xYz' }]);
    expect(config.clients[0]).toMatchObject({
      clientId: 'nocobase',
      postLogoutRedirectUris: ['https://nocobase.example.com/signin', 'https://nocobase.example.com/v/signin'],
    });
  });

  it('runs the image it builds, on the port and volume the Dockerfile declares', () => {
    const image = /-t (\S+) \.$/.exec(build!)?.[1];
    expect(run!.trim().endsWith(` ${image}`)).toBe(true);
    // Published on loopback only: the host's TLS proxy is the one way in, and it is trusted.
    expect(run).toContain('-p 127.0.0.1:8080:8080');
    expect(run).toContain('-e TRUST_PROXY=172.17.0.1');
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toMatch(/PORT=8080/);
    const volume = /-v \S+:(\S+)/.exec(run!)?.[1];
    expect(dockerfile).toContain(`DATA_DIR=${volume}`);
  });
});

describe('docs/operations.md: docker compose beside NocoBase', () => {
  const compose = parseYaml(snippet('docs/operations.md', 'compose')) as {
    services: Record<
      string,
      { environment?: Record<string, string>; ports?: string[]; secrets?: string[]; depends_on?: string[] }
    >;
    secrets: Record<string, { file: string }>;
  };
  const dotEnv = parseEnv(snippet('docs/operations.md', 'compose-env'));
  const bridge = compose.services['wecom-oidc-bridge']!;

  /** What compose does with `${NAME}`: the value from `.env`. */
  function interpolate(value: string): string {
    return value.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      if (dotEnv[name] === undefined) throw new Error(`\${${name}} is not defined in the .env snippet`);
      return dotEnv[name]!;
    });
  }

  it('runs NocoBase, its database, Redis and the bridge', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['nocobase', 'postgres', 'redis', 'wecom-oidc-bridge']);
    expect(compose.services.nocobase!.environment!.DB_HOST).toBe('postgres');
    expect(compose.services.nocobase!.environment!.DB_PASSWORD).toBe(
      compose.services.postgres!.environment!.POSTGRES_PASSWORD,
    );
  });

  it('gives the bridge a configuration that loads, with Redis and a configured signing key', () => {
    const env = Object.fromEntries(
      Object.entries(bridge.environment!).map(([name, value]) => [name, interpolate(String(value))]),
    );
    // Compose mounts each secret of the service at /run/secrets/<name>.
    expect(bridge.secrets).toEqual(['signing_key']);
    expect(env.SIGNING_KEY_FILE).toBe('/run/secrets/signing_key');
    const config = loadConfig({ ...env, SIGNING_KEY_FILE: signingKeyFile(), DATA_DIR: tempDir() });
    expect(config.signing.key).toContain('BEGIN PRIVATE KEY');
    expect(new URL(config.redis!.url).hostname).toBe('redis');
    expect(compose.services).toHaveProperty(new URL(config.redis!.url).hostname);
    expect(bridge.depends_on).toContain('redis');
    expect(bridge.ports).toEqual([`127.0.0.1:${config.port}:${config.port}`]);
    expect(config.trustProxy).toEqual(['172.16.0.0/12']);
  });

  it('caps Redis memory with noeviction: a full Redis refuses writes instead of dropping sessions and tokens', () => {
    const command = (compose.services.redis as { command?: string[] }).command ?? [];
    const setting = (name: string) =>
      command.includes(`--${name}`) ? command[command.indexOf(`--${name}`) + 1] : undefined;
    expect(command[0]).toBe('redis-server');
    expect(setting('maxmemory')).toMatch(/^\d+(mb|gb)$/);
    expect(setting('maxmemory-policy')).toBe('noeviction');
    // docs/operations.md says why, next to the snippet.
    expect(readFileSync(`${ROOT}docs/operations.md`, 'utf8')).toMatch(
      /`noeviction`[^]*silently drop[^]*store_unavailable/,
    );
  });

  it('serves /metrics on the metrics listener the Prometheus snippet scrapes, and publishes only the public port', () => {
    const env = Object.fromEntries(
      Object.entries(bridge.environment!).map(([name, value]) => [name, interpolate(String(value))]),
    );
    const config = loadConfig({ ...env, SIGNING_KEY_FILE: signingKeyFile(), DATA_DIR: tempDir() });
    expect(config.metrics).toMatchObject({ host: '0.0.0.0' });
    expect(bridge.ports).toEqual([`127.0.0.1:${config.port}:${config.port}`]);
    const prometheus = parseYaml(snippet('docs/operations.md', 'prometheus')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const [target] = prometheus.scrape_configs[0]!.static_configs[0]!.targets;
    expect(target).toBe(`wecom-oidc-bridge:${config.metrics!.port}`);
    expect(compose.services).toHaveProperty(target!.split(':')[0]!);
  });

  it("mounts the WeCom plugin where NocoBase finds it, under the plugin package's own name", () => {
    const { name } = JSON.parse(readFileSync(`${ROOT}nocobase-plugin/package.json`, 'utf8')) as { name: string };
    const volumes = (compose.services.nocobase as { volumes?: string[] }).volumes ?? [];
    const plugin = volumes.find((volume) => volume.includes('/storage/plugins/'));
    expect(plugin?.split(':')[1]).toBe(`/app/nocobase/storage/plugins/${name}`);
    // The unpacking line of docs/operations.md fills the mounted folder.
    expect(readFileSync(`${ROOT}docs/operations.md`, 'utf8')).toContain(
      `--strip-components=1 -C ${plugin!.split(':')[0]!.replace(/^\.\//, '')}`,
    );
  });

  it('uses every .env value it defines, and defines every value it uses', () => {
    const used = new Set([...snippet('docs/operations.md', 'compose').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!));
    expect([...used].sort()).toEqual(Object.keys(dotEnv).sort());
  });
});

describe('docs/configuration.md: the configuration error', () => {
  it('is printed exactly as shown, for the .env it describes', () => {
    const env: Record<string, string | undefined> = {
      ...parseEnv(readFileSync(`${ROOT}.env.example`, 'utf8')),
      DATA_DIR: tempDir(),
    };
    delete env.PUBLIC_URL;
    env.OIDC_CLIENT_SECRET = 'too-short';
    let printed: string | undefined;
    try {
      loadConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      printed = formatConfigError(error);
    }
    expect(`${printed}\n`).toBe(snippet('docs/configuration.md', 'config-error'));
  });
});

describe('.env.example and the NocoBase guide', () => {
  it('cp .env.example .env gives a configuration that loads (then put in the real values)', () => {
    const config = loadConfig({ ...parseEnv(readFileSync(`${ROOT}.env.example`, 'utf8')), DATA_DIR: tempDir() });
    expect(config.publicUrl).toBe('https://sso.example.com');
  });

  it("docs/nocobase.md's variables register NocoBase as the README's NocoBase table says", () => {
    const env = parseEnv(snippet('docs/nocobase.md', 'nocobase-env'));
    const wecom = {
      PUBLIC_URL: 'https://sso.example.com',
      WECOM_CORP_ID: 'ww0123456789abcdef',
      WECOM_AGENT_ID: '1000002',
      WECOM_SECRET: 'x',
    };
    const config = loadConfig({ ...wecom, ...env, DATA_DIR: tempDir() });
    expect(config.clients).toEqual([
      expect.objectContaining({ redirectUris: ['https://nocobase.example.com/api/wecomBridge:redirect'] }),
    ]);
    // The same registration as the README's docker run line, so both guides agree.
    expect(snippet('README.md', 'docker-run')).toContain(`-e OIDC_REDIRECT_URIS=${env.OIDC_REDIRECT_URIS}`);
    expect(snippet('README.md', 'docker-run')).toContain(
      `-e OIDC_POST_LOGOUT_REDIRECT_URIS=${env.OIDC_POST_LOGOUT_REDIRECT_URIS}`,
    );
  });
});
