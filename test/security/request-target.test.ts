/**
 * Request targets other than `/path?query` (RFC 9112 §3.2), sent over a bare socket since no HTTP
 * client library produces them: the absolute form (`GET http://evil.example/authorize HTTP/1.1`,
 * what a client talking to a proxy sends), the asterisk form and the authority form. The bridge
 * used to build its error page's language link from the target, which threw and let fastify
 * answer its own 500. Nothing a client sends may yield a 5xx: the page renders, without that link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { rawRequest } from '../helpers/raw-http.js';

let h: Harness;
let port: number;

beforeAll(async () => {
  h = await startHarness();
  port = Number(new URL(h.issuer).port);
});

afterAll(async () => {
  await h.close();
});

const HTML = { accept: 'text/html' };
const JSON_ONLY = { accept: 'application/json' };

describe('an absolute-form request target', () => {
  it.each([
    ['another host', 'http://evil.example'],
    ['our own origin', ''],
  ])('to /authorize (%s) gets the error page without a language link, never a 500', async (_label, origin) => {
    for (const headers of [HTML, JSON_ONLY]) {
      const response = await rawRequest(port, `GET ${origin || h.issuer}/authorize?client_id=nobody HTTP/1.1`, headers);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.body).toContain('unknown_client');
      expect(response.body).not.toContain('class="lang"');
      expect(response.body).not.toContain('evil.example');
    }
  });

  it('to an unknown path gets a 404 page or JSON', async () => {
    const page = await rawRequest(port, 'GET http://evil.example/no/such/path HTTP/1.1', HTML);
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).not.toContain('class="lang"');
    const json = await rawRequest(port, 'GET http://evil.example/no/such/path HTTP/1.1', JSON_ONLY);
    expect(json.status).toBe(404);
    expect(JSON.parse(json.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('keeps the language link for the same request in origin form', async () => {
    const response = await rawRequest(port, 'GET /authorize?client_id=nobody HTTP/1.1', HTML);
    expect(response.status).toBe(400);
    expect(response.body).toContain('class="lang"');
    expect(response.body).toContain(`href="${h.issuer}/authorize?client_id=nobody`);
  });
});

describe('targets the router or the parser cannot use', () => {
  it.each([
    '*',
    'evil.example:443',
    '//evil.example/authorize',
    'https:///authorize?x=1',
    '/%zz',
    'http://a b/authorize',
  ])("GET %s is a 400 in the bridge's own format", async (target) => {
    const page = await rawRequest(port, `GET ${target} HTTP/1.1`, HTML);
    expect([400, 404]).toContain(page.status);
    const json = await rawRequest(port, `GET ${target} HTTP/1.1`, JSON_ONLY);
    expect([400, 404]).toContain(json.status);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(json.body)).toMatchObject({ error: 'invalid_request' });
  });
});
