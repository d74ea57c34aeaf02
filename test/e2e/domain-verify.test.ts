/**
 * WeCom fetches `WW_verify_<token>.txt` from the root of the domain it is asked to trust; the
 * bridge serves it over real HTTP, also under a path-prefixed PUBLIC_URL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startServer } from '../../src/server.js';
import { validEnv } from '../helpers/env.js';
import { type Harness, startHarness } from '../helpers/harness.js';

let h: Harness;
let root: string;

beforeAll(async () => {
  h = await startHarness({ env: { WECOM_DOMAIN_VERIFY_FILE: 'WW_verify_AbC123xYz.txt:AbC123xYz' } });
  root = h.bridge.url;
});

afterAll(async () => {
  await h.close();
});

describe('domain verification file', () => {
  it('serves the configured file at the root as plain text', async () => {
    const response = await fetch(`${root}/WW_verify_AbC123xYz.txt`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('AbC123xYz');
  });

  it('answers 404 for any other name', async () => {
    for (const name of ['WW_verify_Other.txt', 'WW_verify_AbC123xYz.txt.bak', 'ww_verify_AbC123xYz.txt']) {
      const response = await fetch(`${root}/${name}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'There is no such endpoint',
      });
    }
  });
});

describe('domain verification file under a path-prefixed PUBLIC_URL', () => {
  it('answers at the domain root and under the prefix, so the proxy may forward either', async () => {
    const config = loadConfig(
      validEnv({
        PUBLIC_URL: 'https://example.com/sso',
        HOST: '127.0.0.1',
        PORT: '0',
        METRICS_ADDRESS: '127.0.0.1:0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'ww-verify-key-')),
        LOG_LEVEL: 'silent',
        WECOM_DOMAIN_VERIFY_FILE: 'WW_verify_Pre1.txt:Pre1',
      }),
    );
    const bridge = await startServer(config);
    try {
      for (const path of ['/WW_verify_Pre1.txt', '/sso/WW_verify_Pre1.txt']) {
        const response = await fetch(`${bridge.url}${path}`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('Pre1');
      }
    } finally {
      await bridge.app.close();
    }
  });
});
