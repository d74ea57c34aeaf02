/**
 * Probes and metrics: /healthz, /readyz (keys, store, shutdown), /metrics with the series issue
 * #4 names, labels from route templates only, and probes kept out of the info-level log. /metrics
 * is served on its own listener (METRICS_ADDRESS), never on the public port (issue 21), with an
 * optional bearer token (METRICS_TOKEN).
 */

import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENTS } from '../helpers/browser.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { modernLogin, nocobaseLogin } from '../helpers/rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ captureLogs: true });
});

afterAll(async () => {
  await h.close();
});

describe('health', () => {
  it('/healthz says the process serves; /readyz checks keys, store and shutdown', async () => {
    const health = await fetch(`${h.issuer}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('cache-control')).toBe('no-store');
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.issuer}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { keys: 'ok', store: 'ok', lifecycle: 'ok' } });
    h.bridge.context.lifecycle.shuttingDown = true;
    try {
      const closing = await fetch(`${h.issuer}/readyz`);
      expect(closing.status).toBe(503);
      expect(closing.headers.get('connection')).toBe('close');
      expect(await closing.json()).toMatchObject({ status: 'unavailable', checks: { lifecycle: 'shutting_down' } });
    } finally {
      h.bridge.context.lifecycle.shuttingDown = false;
    }
  });
});

describe('metrics', () => {
  it('counts HTTP by route template, logins by outcome and leg, WeCom calls, tokens and store latency', async () => {
    await nocobaseLogin(h, h.browser('zhangsan'));
    await nocobaseLogin(h, h.browser('wangwu'));
    // Inside WeCom (the in-client OAuth leg), with a refresh.
    const inClient = await modernLogin(h, h.browser('lisi', USER_AGENTS.wecom), {
      scope: 'openid profile offline_access',
    });
    await oidc.refreshTokenGrant(inClient.config, inClient.tokens!.refresh_token!);
    await fetch(`${h.issuer}/no/such/path-with-secret-looking-part?code=abc`);
    const response = await fetch(`${h.metricsUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const metrics = await response.text();
    const expected = [
      /wecom_oidc_http_request_duration_seconds_count\{route="\/authorize",method="GET",status="302"\} [1-9]/,
      /wecom_oidc_http_request_duration_seconds_count\{route="\/wecom\/callback",method="GET",status="302"\} [1-9]/,
      /wecom_oidc_http_request_duration_seconds_count\{route="\/token",method="POST",status="200"\} [1-9]/,
      /wecom_oidc_http_request_duration_seconds_count\{route="unmatched",method="GET",status="404"\} 1/,
      /wecom_oidc_logins_total\{outcome="success",reason="ok",leg="qr"\} 1/,
      /wecom_oidc_logins_total\{outcome="denied",reason="[a-z_]+",leg="qr"\} 1/,
      /wecom_oidc_logins_total\{outcome="success",reason="ok",leg="oauth"\} 1/,
      /wecom_oidc_wecom_api_requests_total\{api="gettoken",errcode="0"\} 1/,
      /wecom_oidc_wecom_api_requests_total\{api="getuserinfo",errcode="0"\} 3/,
      /wecom_oidc_wecom_api_requests_total\{api="getuserdetail",errcode="0"\} 1/,
      /wecom_oidc_wecom_api_duration_seconds_count\{api="userget"\} [1-9]/,
      /wecom_oidc_tokens_issued_total\{grant="authorization_code"\} 2/,
      /wecom_oidc_tokens_issued_total\{grant="refresh_token"\} 1/,
      /wecom_oidc_store_operation_duration_seconds_count\{operation="takeIf",outcome="ok"\} [1-9]/,
      /wecom_oidc_store_operation_duration_seconds_count\{operation="setMany",outcome="ok"\} [1-9]/,
      /wecom_oidc_store_operation_duration_seconds_count\{operation="claim",outcome="ok"\} [1-9]/,
      /wecom_oidc_memory_store_entries\{namespace="session"\} 2/,
      /wecom_oidc_memory_store_bytes\{namespace="session"\} [1-9]\d+/,
      /wecom_oidc_build_info\{version="[^"]+",node="v\d+/,
    ];
    for (const pattern of expected) expect(metrics).toMatch(pattern);
    // Labels never carry raw paths or query strings.
    expect(metrics).not.toContain('secret-looking');
    expect(metrics).not.toContain('?code');
  });

  it('keeps probes out of the info-level log, and logs other requests with route and client IP', async () => {
    const before = h.logs.length;
    await fetch(`${h.metricsUrl}/metrics`);
    for (const path of ['/healthz', '/readyz', '/jwks']) await fetch(`${h.issuer}${path}`);
    const lines = h.logs.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.msg === 'request').map((line) => line.route)).toEqual(['/jwks']);
    expect(lines.find((line) => line.route === '/jwks')).toMatchObject({ status: 200, ip: '127.0.0.1', path: '/jwks' });
  });
});

describe('the metrics listener', () => {
  it('is not the public port: /metrics there is 404, and the listener serves nothing but /metrics', async () => {
    expect(h.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(h.metricsUrl!).port).not.toBe(new URL(h.issuer).port);
    const publicMetrics = await fetch(`${h.issuer}/metrics`);
    expect(publicMetrics.status).toBe(404);
    expect(await publicMetrics.text()).not.toContain('wecom_oidc_');
    for (const path of ['/', '/healthz', '/authorize', '/metrics/x']) {
      const response = await fetch(`${h.metricsUrl}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    }
    const started = h.logs.find((line) => line.includes('wecom-oidc-bridge listening'))!;
    expect(JSON.parse(started)).toMatchObject({ metrics: `${h.metricsUrl}/metrics` });
  });

  it('with METRICS_TOKEN, answers only a scraper that sends it as a bearer token, on its listener and on the public port', async () => {
    const token = 'scrape-token-0123456789abcdef';
    const guarded = await startHarness({ env: { METRICS_TOKEN: token } });
    try {
      // On its listener, and (CONTRACT's PUBLIC_URL/metrics) on the public port, both behind the token.
      for (const url of [`${guarded.metricsUrl}/metrics`, `${guarded.issuer}/metrics`]) {
        for (const authorization of [
          undefined,
          'Bearer wrong-token-0123456789',
          `Basic ${token}`,
          `Bearer ${token}x`,
        ]) {
          const refused = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
          expect(refused.status, `${url} ${authorization}`).toBe(401);
          expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
          expect(await refused.text()).not.toContain('wecom_oidc_');
        }
        const scraped = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        expect(scraped.status).toBe(200);
        expect(await scraped.text()).toContain('wecom_oidc_build_info');
      }
    } finally {
      await guarded.close();
    }
  });

  it('METRICS_ADDRESS=off serves no metrics at all', async () => {
    const off = await startHarness({ env: { METRICS_ADDRESS: 'off' } });
    try {
      expect(off.metricsUrl).toBeUndefined();
      expect(off.bridge.metricsApp).toBeUndefined();
      expect((await fetch(`${off.issuer}/metrics`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
