/**
 * Property-based hardening (issue 3 "Hardening: nothing a client sends yields a 5xx"): fast-check
 * throws random and hostile input (parameter names and values, duplicates, encodings, JWT-shaped
 * junk, mutated genuine tokens, headers, cookies, content types) at every route. Whatever comes
 * in, the answer is a 4xx (or the documented 2xx/3xx) with a well-formed body in the route's
 * format, and a redirect only ever goes to a registered URI or to WeCom. The same holds for
 * request targets no client library sends (absolute, scheme-relative, asterisk and authority
 * forms), thrown at a listening app over a bare socket.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { KeyRing } from '../../src/keys/key-ring.js';
import { MemoryStore } from '../../src/store/memory.js';
import { USER_AGENTS } from '../helpers/browser.js';
import { validEnv } from '../helpers/env.js';
import { rawRequest } from '../helpers/raw-http.js';

/** The WeCom domain verification file the bridge is configured to serve. */
const VERIFY_FILE = { name: 'WW_verify_fuzz0123.txt', content: 'verify-content-0123' };

const METRICS_TOKEN = 'fuzz-metrics-token-0123456789';

const OTHER = {
  client_id: 'other-app',
  client_secret: 'other-app-secret-0123456789abcdef',
  redirect_uris: ['https://other.example/cb?tenant=a%20b'],
  post_logout_redirect_uris: ['https://other.example/bye'],
};

let app: FastifyInstance;
/** The /metrics listener's app (METRICS_ADDRESS), guarded by {@link METRICS_TOKEN}. */
let metricsApp: FastifyInstance;
let config: Config;
let keys: KeyRing;
let genuineTokens: string[];
/** Port of the same app listening on loopback, for the request-target forms. */
let port: number;

beforeAll(async () => {
  config = loadConfig(
    validEnv({
      OIDC_POST_LOGOUT_REDIRECT_URIS: 'https://nocobase.example.com/signin',
      OIDC_CLIENTS: JSON.stringify([OTHER]),
      WECOM_DOMAIN_VERIFY_FILE: `${VERIFY_FILE.name}:${VERIFY_FILE.content}`,
      METRICS_TOKEN,
      // Limits off: the fuzzer sends thousands of requests from one address.
      RATE_LIMIT_AUTHORIZE_PER_IP: '0',
      RATE_LIMIT_AUTHORIZE_PER_CLIENT: '0',
      RATE_LIMIT_TOKEN_PER_IP: '0',
      RATE_LIMIT_TOKEN_PER_CLIENT: '0',
    }),
  );
  keys = await KeyRing.fromKeyObjects([generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey], 'RS256');
  // No request may reach WeCom; if one tried, it would fail at once instead of hanging.
  const agent = new MockAgent();
  agent.disableNetConnect();
  let built: FastifyInstance | undefined;
  ({ app, metricsApp: built } = await buildApp(config, {
    store: new MemoryStore(),
    keys,
    dispatcher: agent,
    logger: pino({ level: 'silent' }),
  }));
  metricsApp = built!;
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: config.publicUrl,
    sub: 'zhangsan',
    aud: 'nocobase',
    iat: now,
    exp: now + 3600,
    auth_time: now,
    sid: 'sid-1',
  };
  genuineTokens = [
    await keys.sign(claims),
    await keys.sign({ ...claims, exp: now - 10 }),
    await keys.sign({ ...claims, aud: 'other-app' }),
  ];
});

afterAll(async () => {
  await app.close();
});

// ---- generators -------------------------------------------------------------------------------

const KNOWN = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'code_challenge',
  'code_challenge_method',
  'id_token_hint',
  'ui_locales',
  'request',
  'request_uri',
  'display',
  'login_hint',
  'claims_locales',
  'acr_values',
  'claims',
  'response_mode',
  'grant_type',
  'code',
  'code_verifier',
  'refresh_token',
  'client_secret',
  'access_token',
  'post_logout_redirect_uri',
  'logout_confirm',
  'logout_hint',
  'lang',
  // The hand-off's handle (desktop) and scan token (phone).
  'h',
  's',
];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');
const jwtLike = fc
  .tuple(fc.jsonValue(), fc.jsonValue(), fc.base64String({ maxLength: 40 }))
  .map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`);
const genuine = fc.integer({ min: 0, max: 2 }).map((i) => genuineTokens[i]!);
const mutatedGenuine = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }))
  .map(([i, at, c]) => {
    const token = genuineTokens[i]!;
    const index = at % token.length;
    return token.slice(0, index) + c + token.slice(index + 1);
  });

const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...'ab.%+ /=&?#[]:;"\'<>\\'), maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '%',
    '%zz',
    '%00',
    '\u0000',
    '<script>alert(1)</script>',
    'openid',
    'openid offline_access profile',
    'none',
    'login',
    'none login',
    'S256',
    'plain',
    'code',
    'code id_token',
    'a.b.c',
    '..',
    '-1',
    '0',
    '99999999999',
    '1e3',
    'NaN',
    'authorization_code',
    'refresh_token',
    'nocobase',
    'other-app',
    'https://nocobase.example.com/api/oidc:redirect',
    'https://other.example/cb?tenant=a%20b',
    'https://nocobase.example.com/signin',
    'https://evil.example/',
    'x'.repeat(5000),
    'fragment',
    'query',
    'form_post',
    'sid-1.abc',
    `AAAAAAAAAAAAAAAAAAAAAA.${'A'.repeat(43)}`,
    'A'.repeat(43),
    '_'.repeat(43),
  ),
  jwtLike,
  genuine,
  mutatedGenuine,
);

const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'a[b]',
      'client_id[]',
      'toString',
      'hasOwnProperty',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** A nearly valid start, so that mutations reach deep code paths. */
const base = fc.constantFrom<[string, string][]>(
  [],
  [
    ['client_id', 'nocobase'],
    ['redirect_uri', 'https://nocobase.example.com/api/oidc:redirect'],
    ['response_type', 'code'],
    ['scope', 'openid'],
  ],
  [
    ['client_id', 'other-app'],
    ['redirect_uri', 'https://other.example/cb?tenant=a%20b'],
    ['response_type', 'code'],
    ['scope', 'openid profile'],
  ],
  [
    ['grant_type', 'authorization_code'],
    ['code', 'x'.repeat(43)],
    ['redirect_uri', 'https://nocobase.example.com/api/oidc:redirect'],
  ],
  [
    ['grant_type', 'refresh_token'],
    ['refresh_token', `AAAAAAAAAAAAAAAAAAAAAA.${'A'.repeat(43)}`],
  ],
  [
    ['post_logout_redirect_uri', 'https://nocobase.example.com/signin'],
    ['state', 's'],
  ],
);

const params = fc
  .tuple(
    base,
    fc.array(fc.tuple(name, value), { maxLength: 10 }),
    fc.constantFrom('', '&', '&&', '=', '&=x', '&x', '%', '&a=%E0%A4%A', '&%zz=1'),
  )
  .map(([start, extra, tail]) => `${[...start, ...extra].map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')}${tail}`);

const printable = (arb: fc.Arbitrary<string>) => arb.map((s) => s.replace(/[^\x20-\x7E]/g, ''));
const validBasic = `Basic ${Buffer.from(`nocobase:${encodeURIComponent(validEnv().OIDC_CLIENT_SECRET!)}`).toString('base64')}`;
const authorization = fc.option(
  fc.oneof(
    printable(fc.string({ maxLength: 80 })),
    fc.constant(validBasic),
    printable(fc.string({ maxLength: 60 })).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    printable(value).map((s) => `Bearer ${s}`),
  ),
  { nil: undefined },
);
// PUBLIC_URL is https here: the bridge's cookies are the __Host- ones; the bare names must be ignored.
const cookie = fc.option(
  fc.oneof(
    printable(value).map((s) => `wecom-oidc-session=${s}`),
    printable(value).map((s) => `wecom-oidc-login=${s}; wecom-oidc-session=${s}`),
    printable(value).map((s) => `__Host-wecom-oidc-session=${s}`),
    printable(value).map((s) => `__Host-wecom-oidc-login=${s}; __Host-wecom-oidc-session=${s}`),
    fc.constantFrom(
      '__Host-wecom-oidc-login=',
      `__Host-wecom-oidc-login=${'A'.repeat(43)}`,
      `__Host-wecom-oidc-session=${'A'.repeat(43)}`,
    ),
    printable(fc.string({ maxLength: 60 })),
  ),
  { nil: undefined },
);
// The hand-off's phone route answers WeCom's in-app browser only.
const userAgent = fc.option(
  fc.oneof(fc.constantFrom(USER_AGENTS.desktop, USER_AGENTS.wecom), printable(fc.string({ maxLength: 60 }))),
  { nil: undefined },
);
const contentType = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded;;',
      'garbage',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const accept = fc.option(fc.constantFrom('text/html', 'application/json', '*/*', 'text/html;q=0'), { nil: undefined });

/** Percent-encodes UTF-8 bytes (lone surrogates become U+FFFD instead of throwing). */
function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');
}

// ---- the property ------------------------------------------------------------------------------

const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'unsupported_response_type',
  'server_error',
  'temporarily_unavailable',
  'login_required',
  'interaction_required',
  'request_not_supported',
  'request_uri_not_supported',
  'invalid_token',
]);

/** Where a redirect may point: registered redirect and post-logout URIs, or WeCom. */
function allowedRedirect(location: string): boolean {
  const registered = config.clients.flatMap((client) => [...client.redirectUris, ...client.postLogoutRedirectUris]);
  const toRp = registered.some(
    (uri) => location === uri || location.startsWith(`${uri}?`) || location.startsWith(`${uri}&`),
  );
  const toWeCom =
    location.startsWith(`${config.wecom.ssoBase}/wwlogin/sso/login?`) ||
    location.startsWith(`${config.wecom.oauthBase}/connect/oauth2/authorize?`);
  return toRp || toWeCom;
}

interface Answer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
}

/** What a route's documented 2xx must look like, for routes that answer 200 to any input. */
type SuccessCheck = (answer: Answer) => void;

function assertWellFormed(answer: Answer, documented: readonly number[], success?: SuccessCheck): void {
  const { statusCode, headers, body } = answer;
  expect(statusCode).toBeLessThan(500);
  if (statusCode < 400) expect(documented).toContain(statusCode);
  if (statusCode < 300 && success) success(answer);
  if (statusCode >= 300 && statusCode < 400) {
    const location = String(headers.location);
    expect(allowedRedirect(location), location).toBe(true);
    const query = new URLSearchParams(location.split('?')[1] ?? '');
    if (query.has('error')) expect(query.has('code')).toBe(false);
    return;
  }
  const type = String(headers['content-type'] ?? '');
  if (type.startsWith('text/html')) {
    expect(String(headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(body.startsWith('<!doctype html>')).toBe(true);
  } else if (statusCode >= 400) {
    expect(type).toMatch(/^application\/json/);
    const json = JSON.parse(body) as Record<string, unknown>;
    expect(OAUTH_ERRORS.has(json.error as string), String(json.error)).toBe(true);
    if (json.error_description !== undefined) expect(json.error_description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
  }
}

const metricsText: SuccessCheck = ({ headers, body }) => {
  expect(String(headers['content-type'])).toMatch(/^text\/plain/);
  expect(body).toContain('# HELP ');
};
const handoffStatus: SuccessCheck = ({ headers, body }) => {
  expect(String(headers['content-type'])).toMatch(/^application\/json/);
  // No hand-off exists here, so no handle the fuzzer sends can find one.
  expect(JSON.parse(body)).toEqual({ status: 'expired' });
};
const verifyFile: SuccessCheck = ({ headers, body }) => {
  expect(String(headers['content-type'])).toMatch(/^text\/plain/);
  expect(body).toBe(VERIFY_FILE.content);
};

const ROUTES: [
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  documented: number[],
  success?: SuccessCheck,
][] = [
  ['GET', '/authorize', [302]],
  ['POST', '/authorize', [303]],
  ['GET', '/wecom/callback', []],
  ['POST', '/token', []],
  ['GET', '/token', []],
  ['GET', '/userinfo', []],
  ['POST', '/userinfo', []],
  ['GET', '/logout', [200, 302]],
  ['POST', '/logout', [200, 303]],
  ['GET', '/.well-known/openid-configuration', [200]],
  ['GET', '/jwks', [200]],
  ['GET', '/healthz', [200]],
  ['GET', '/readyz', [200]],
  // Served on its own listener only (below); the public port has no such route.
  ['GET', '/metrics', []],
  // The hand-off's pages need a live hand-off and its browser's binding cookie; without them, 4xx.
  ['GET', '/handoff', []],
  ['GET', '/handoff/status', [200], handoffStatus],
  ['GET', '/handoff/continue', []],
  ['GET', '/handoff/scan', []],
  ['POST', '/handoff/continue', []],
  [`GET`, `/${VERIFY_FILE.name}`, [200], verifyFile],
  ['GET', '/WW_verify_unknown42.txt', []],
  ['PUT', '/authorize', []],
  ['DELETE', '/logout', []],
  ['GET', '/no/such/path', []],
];

describe.each(ROUTES)('%s %s', (method, path, documented, success) => {
  it('answers any input with a well-formed 4xx or its documented 2xx/3xx, never a 5xx or an open redirect', async () => {
    await fc.assert(
      fc.asyncProperty(
        params,
        params,
        authorization,
        cookie,
        contentType,
        accept,
        userAgent,
        async (query, body, auth, cookies, type, accepts, ua) => {
          const headers: Record<string, string> = {};
          if (auth !== undefined) headers.authorization = auth;
          if (ua !== undefined) headers['user-agent'] = ua;
          if (cookies !== undefined) headers.cookie = cookies;
          if (accepts !== undefined) headers.accept = accepts;
          const withBody = method === 'POST' || method === 'PUT';
          if (withBody && type !== undefined) headers['content-type'] = type;
          const response = await app.inject({
            method,
            url: `${path}?${query}`,
            headers,
            ...(withBody ? { payload: body } : {}),
          });
          assertWellFormed(
            { statusCode: response.statusCode, headers: response.headers, body: response.body },
            documented,
            success,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ---- request-target forms (RFC 9112 §3.2), over a bare socket ----------------------------------

/** Hosts an absolute-form target may name: another site, the issuer's, odd and empty ones. */
const targetHost = fc.oneof(
  fc.constantFrom(
    'evil.example',
    'sso.example.com',
    'sso.example.com:443',
    '127.0.0.1:1',
    '[::1]:8080',
    'xn--bcher-kva.example',
    '',
  ),
  printable(fc.string({ maxLength: 20 })).map((s) => s.replace(/[\s/?#]/g, '')),
);
const targetForm = fc.constantFrom(
  'origin',
  'undecodable-path',
  'absolute',
  'absolute-https',
  'scheme-relative',
  'asterisk',
  'authority',
);

function requestTarget(form: string, host: string, path: string, query: string): string {
  if (form === 'absolute') return `http://${host}${path}?${query}`;
  if (form === 'absolute-https') return `https://${host}${path}?${query}`;
  if (form === 'scheme-relative') return `//${host}${path}?${query}`;
  if (form === 'undecodable-path') return `${path}/%zz?${query}`;
  if (form === 'asterisk') return '*';
  if (form === 'authority') return `${host || 'evil.example'}:443`;
  return `${path}?${query}`;
}

describe('any request-target form', () => {
  it('is answered like its origin form: never a 5xx, never an open redirect', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        targetForm,
        targetHost,
        params,
        accept,
        userAgent,
        async ([method, path, documented, success], form, host, query, accepts, ua) => {
          const headers: Record<string, string> = {};
          if (accepts !== undefined) headers.accept = accepts;
          if (ua !== undefined) headers['user-agent'] = ua;
          const withBody = method === 'POST' || method === 'PUT';
          if (withBody) headers['content-type'] = 'application/x-www-form-urlencoded';
          const answer = await rawRequest(
            port,
            `${method} ${requestTarget(form, host, path, query)} HTTP/1.1`,
            headers,
            withBody ? query : '',
          );
          expect(answer.status).toBeGreaterThanOrEqual(200);
          assertWellFormed(
            { statusCode: answer.status, headers: answer.headers, body: answer.body },
            documented,
            success,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- the metrics listener ------------------------------------------------------------------------

describe('the metrics listener', () => {
  const path = fc.oneof(
    fc.constant('/metrics'),
    fc.constantFrom('/', '/metrics/', '/healthz', '/authorize', '/metrics?x=1', '/%zz'),
    fc.string({ maxLength: 20 }).map((s) => `/${pct(s)}`),
  );
  const bearer = fc.option(
    fc.oneof(
      fc.constant(`Bearer ${METRICS_TOKEN}`),
      fc.constant(`bearer ${METRICS_TOKEN}`),
      authorization.filter((a): a is string => a !== undefined),
    ),
    { nil: undefined },
  );

  it('answers any request with its metrics only for GET /metrics with the token, else a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'), path, bearer, async (method, url, auth) => {
        const response = await metricsApp.inject({
          method: method as 'GET',
          url,
          headers: auth === undefined ? {} : { authorization: auth },
        });
        expect(response.statusCode).toBeLessThan(500);
        // HEAD is fastify's automatic twin of GET (no body).
        const granted =
          (method === 'GET' || method === 'HEAD') &&
          url.split('?')[0] === '/metrics' &&
          auth === `Bearer ${METRICS_TOKEN}`;
        if (granted && method === 'GET')
          metricsText({ statusCode: response.statusCode, headers: response.headers, body: response.body });
        if (!granted) expect(response.statusCode).toBeGreaterThanOrEqual(400);
        if (!granted) expect(response.body).not.toContain('wecom_oidc_');
      }),
      { numRuns: 200 },
    );
  });
});
