/**
 * Every environment variable the bridge reads, declared once: name, group, meaning, default,
 * parser, secret or not.
 *
 * From this list come the zod schema the loader parses with (`schema.ts`), `.env.example` and the
 * variable table of docs/configuration.md (`scripts/gen-docs.ts`). The order is the order the
 * schema checks in, so problems are listed in it; the documents order by {@link GROUPS}.
 */
import { z } from 'zod';
import {
  baseUrl,
  bearerToken,
  count,
  departmentIds,
  emailTemplate,
  flag,
  listenAddress,
  oneOf,
  optionalMatching,
  optionalText,
  port,
  proxyUrl,
  redisUrl,
  requiredClaims,
  requiredText,
  seconds,
  text,
  trustProxy,
  userids,
} from './parsers.js';

/** Sections of the documentation, in their order. */
export const GROUPS = {
  service: 'Service',
  wecom: 'WeCom app',
  access: 'Who may sign in',
  clients: 'Relying parties',
  events: 'Offboarding (WeCom contact events)',
  claims: 'Claims',
  keys: 'Signing keys',
  state: 'Shared state (Redis)',
  proxies: 'Reverse and outbound proxies',
  metrics: 'Metrics',
  lifetimes: 'Lifetimes',
  limits: 'Rate limits',
} as const;

/** A section of the documentation. */
export type Group = keyof typeof GROUPS;

/** One environment variable. */
export interface Variable<P extends z.ZodType = z.ZodType> {
  /** Documentation section. */
  readonly group: Group;
  /** One or two sentences for docs/configuration.md and `.env.example`. */
  readonly description: string;
  /**
   * The value used when the variable is unset or empty, as a user would write it; `parse` reads
   * it like any other value. Absent: `parse` receives `undefined` when the variable is unset.
   */
  readonly default?: string;
  /** Without a default, what leaving it unset means when not "empty": `required`, `generated`, … */
  readonly unset?: string;
  /** The value is a secret: never logged, never echoed in configuration errors. */
  readonly secret?: boolean;
  /** A `<NAME>_FILE` twin reads the value from a file (resolved by the loader). */
  readonly fileVariant?: boolean;
  /** Example value for `.env.example` when the default is not a good example. */
  readonly example?: string;
  /** Parses the (trimmed, defaulted) value; its error messages are what the loader reports. */
  readonly parse: P;
}

/** Keeps each declaration's parser type, so the schema's output stays typed per variable. */
const declare = <const T extends Record<string, Variable>>(variables: T): T => variables;

/** All variables, keyed by their exact environment name. */
export const VARIABLES = declare({
  PUBLIC_URL: {
    group: 'service',
    unset: 'required',
    description:
      'External base URL of the bridge; the OIDC issuer byte for byte (no trailing slash). Every absolute URL the bridge emits is built from it, never from Host or X-Forwarded-* headers.',
    example: 'https://sso.example.com',
    parse: requiredText('the external base URL of the bridge, e.g. https://sso.example.com'),
  },
  HOST: {
    group: 'service',
    default: '0.0.0.0',
    description: 'Listen address.',
    parse: text,
  },
  PORT: {
    group: 'service',
    default: '8080',
    description: 'Listen port.',
    parse: port,
  },
  METRICS_ADDRESS: {
    group: 'metrics',
    default: '127.0.0.1:9464',
    description:
      'host:port of the separate listener serving /metrics (Prometheus; on the public port only with METRICS_TOKEN): 127.0.0.1:9464 (loopback) by default, 0.0.0.0:9464 for a scraper on another host or container; off = no metrics.',
    parse: listenAddress,
  },
  METRICS_TOKEN: {
    group: 'metrics',
    description:
      'When set (at least 16 characters), /metrics requires `Authorization: Bearer <token>`, and is then served on the public port too (PUBLIC_URL/metrics, e.g. for a scraper outside the host). METRICS_TOKEN_FILE reads it from a file.',
    secret: true,
    fileVariant: true,
    parse: bearerToken,
  },
  REQUEST_TIMEOUT: {
    group: 'service',
    default: '15',
    description:
      'Seconds a request may take to arrive whole, headers and body (2-300); a client still sending after it gets 408 and is disconnected, so slow or dripping clients cannot hold connections.',
    parse: seconds(2, 300),
  },
  MAX_CONNECTIONS: {
    group: 'service',
    default: '4096',
    description:
      'Most open client connections (keep-alive ones included); connections beyond it are closed at once. Behind a reverse proxy a few suffice. 0 = no limit.',
    parse: count,
  },
  WECOM_CORP_ID: {
    group: 'wecom',
    unset: 'required',
    description: 'Corp ID (企业ID): admin console → 我的企业 → 企业信息.',
    example: 'ww0123456789abcdef',
    parse: requiredText('the corp ID, 企业ID').pipe(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
        error: 'must be the corp ID as shown in the admin console (letters and digits)',
      }),
    ),
  },
  WECOM_AGENT_ID: {
    group: 'wecom',
    unset: 'required',
    description: 'AgentId of the self-built app (应用管理 → the app).',
    example: '1000002',
    parse: requiredText('the AgentId of the self-built app').pipe(
      z.string().regex(/^\d{1,12}$/, { error: 'must be the numeric AgentId of the self-built app' }),
    ),
  },
  WECOM_SECRET: {
    group: 'wecom',
    unset: 'required',
    description: 'Secret of that app. WECOM_SECRET_FILE reads it from a file instead.',
    secret: true,
    fileVariant: true,
    example: 'replace-with-the-app-secret',
    parse: requiredText('the app secret; or set WECOM_SECRET_FILE'),
  },
  WECOM_API_BASE: {
    group: 'wecom',
    default: 'https://qyapi.weixin.qq.com',
    description: 'WeCom server API base (private deployments, egress proxies, the simulator).',
    parse: baseUrl,
  },
  WECOM_OAUTH_BASE: {
    group: 'wecom',
    default: 'https://open.weixin.qq.com',
    description: 'Base of the in-client OAuth authorize page.',
    parse: baseUrl,
  },
  WECOM_SSO_BASE: {
    group: 'wecom',
    default: 'https://login.work.weixin.qq.com',
    description: 'Base of the desktop web login (QR code / desktop-client quick login).',
    parse: baseUrl,
  },
  WECOM_SCOPE: {
    group: 'wecom',
    default: 'snsapi_privateinfo',
    description:
      'In-client OAuth scope. snsapi_privateinfo shows a consent page and yields mobile/email; snsapi_base is silent (userid only).',
    parse: oneOf(['snsapi_base', 'snsapi_privateinfo'], 'must be snsapi_privateinfo or snsapi_base'),
  },
  WECOM_LOGIN_MODE: {
    group: 'wecom',
    default: 'auto',
    description:
      'auto: in-client OAuth when the User-Agent contains "wxwork", desktop web login otherwise; oauth: always in-client OAuth; qr: always web login.',
    parse: oneOf(['auto', 'oauth', 'qr'], 'must be auto, oauth or qr'),
  },
  WECOM_DOMAIN_VERIFY_FILE: {
    group: 'wecom',
    description:
      'WeCom domain verification file(s) to serve at /WW_verify_<token>.txt, for 可信域名 → 校验域名归属: `WW_verify_<token>.txt:<content>` or the path of the downloaded file; comma-separated for several. WeCom fetches it from the domain root (see the WeCom guide when PUBLIC_URL has a path).',
    example: 'WW_verify_AbC123xYz.txt:AbC123xYz',
    // Parsed (and files read) by domain-verify.ts from load.ts: reading files is the loader's job.
    parse: optionalText,
  },
  WECOM_CALLBACK_TOKEN: {
    group: 'events',
    unset: 'events off',
    description:
      'Token of the event server that receives contact changes (应用管理 → the app → 接收消息 → 设置API接收 → Token): 3-32 letters and digits. With WECOM_CALLBACK_AES_KEY (both or neither) it turns on GET/POST /wecom/events, so that a member deleted or disabled in WeCom is signed out everywhere at once. WECOM_CALLBACK_TOKEN_FILE reads it from a file.',
    secret: true,
    fileVariant: true,
    example: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
    parse: optionalMatching(/^[A-Za-z0-9]{3,32}$/, 'must be the Token of 设置API接收: 3-32 letters and digits'),
  },
  WECOM_CALLBACK_AES_KEY: {
    group: 'events',
    unset: 'events off',
    description:
      'EncodingAESKey of the same event server (43 letters and digits). WECOM_CALLBACK_AES_KEY_FILE reads it from a file.',
    secret: true,
    fileVariant: true,
    example: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    parse: optionalMatching(/^[A-Za-z0-9]{43}$/, 'must be the EncodingAESKey of 设置API接收: 43 letters and digits'),
  },
  OFFBOARDING_LEASE: {
    group: 'events',
    default: '30',
    description:
      'How long a replica holds an offboarding job it took (a member to end, a logout token to deliver) before another replica may take it over, seconds: only a replica that stops without finishing its job leaves one waiting this long. Longer than a delivery’s 5 s timeout; keep the default in production (tests lower it).',
    parse: seconds(10, 600),
  },
  OIDC_CLIENT_ID: {
    group: 'clients',
    unset: 'required unless OIDC_CLIENTS',
    description: 'Client id of the relying party (e.g. NocoBase).',
    example: 'nocobase',
    parse: optionalText,
  },
  OIDC_CLIENT_SECRET: {
    group: 'clients',
    unset: 'required with OIDC_CLIENT_ID',
    description:
      'Its client secret, at least 16 characters (e.g. `openssl rand -base64 32`). OIDC_CLIENT_SECRET_FILE reads it from a file.',
    secret: true,
    fileVariant: true,
    example: 'replace-with-a-long-random-secret',
    parse: optionalText,
  },
  OIDC_REDIRECT_URIS: {
    group: 'clients',
    unset: 'required with OIDC_CLIENT_ID',
    description: 'Comma-separated redirect URIs, matched exactly (no prefix or wildcard).',
    example: 'https://nocobase.example.com/api/wecomBridge:redirect',
    parse: optionalText,
  },
  OIDC_POST_LOGOUT_REDIRECT_URIS: {
    group: 'clients',
    description: 'Comma-separated post-logout redirect URIs, matched exactly.',
    parse: optionalText,
  },
  OIDC_BACKCHANNEL_LOGOUT_URI: {
    group: 'clients',
    description:
      'Back-channel logout URI of the OIDC_CLIENT_ID relying party (OpenID Connect Back-Channel Logout 1.0): when WeCom reports the member deleted or disabled, a logout token is POSTed there. Any http(s) URL, private and loopback addresses included (for NocoBase: https://nocobase.example.com/api/wecomBridge:backchannelLogout). In OIDC_CLIENTS: backchannel_logout_uri.',
    parse: optionalText,
  },
  OIDC_CLIENTS: {
    group: 'clients',
    description:
      'JSON array for several relying parties: [{"client_id","client_secret","redirect_uris":[…],"post_logout_redirect_uris":[…],"backchannel_logout_uri"}]. Used beside or instead of the OIDC_CLIENT_* variables.',
    secret: true,
    parse: optionalText,
  },
  SIGNING_KEY: {
    group: 'keys',
    unset: 'generated',
    description:
      'Private signing key, PEM (PKCS#8) or JWK JSON; several PEM blocks or a JWK Set for rotation (the first signs, all are published). SIGNING_KEY_FILE reads it from a file. If absent, one is generated and kept in DATA_DIR; required when REDIS_URL is set (`npm run --silent keygen > signing-key.pem`).',
    secret: true,
    fileVariant: true,
    parse: optionalText,
  },
  SIGNING_ALG: {
    group: 'keys',
    default: 'RS256',
    description: 'ID token signing algorithm: RS256, PS256, ES256 or EdDSA (NocoBase supports RS256, PS256, ES256).',
    parse: oneOf(['RS256', 'PS256', 'ES256', 'EdDSA'], 'must be RS256, PS256, ES256 or EdDSA'),
  },
  DATA_DIR: {
    group: 'keys',
    default: './data',
    description: 'Where a generated signing key is kept.',
    parse: text,
  },
  REDIS_URL: {
    group: 'state',
    description:
      'When set, all shared state lives in Redis (6.2 or newer) so that any number of replicas can serve one login; when empty, it lives in memory (one process, at most 100,000 entries and about 64 MB per kind of record).',
    secret: true,
    example: 'redis://127.0.0.1:6379/0',
    parse: redisUrl,
  },
  REDIS_KEY_PREFIX: {
    group: 'state',
    default: 'wecom-oidc:',
    description: 'Prefix of every Redis key, so that the bridge can share a Redis with other software.',
    parse: text,
  },
  TRUST_PROXY: {
    group: 'proxies',
    default: 'false',
    description:
      'Reverse proxies whose X-Forwarded-For is believed (client IP for logs and rate limits only): comma-separated addresses/CIDRs of your proxies (recommended), or a hop count (1 = one proxy in front). true is refused at start: it believes the left-most entry, which the client writes. Unset behind a proxy, all users share its address.',
    parse: trustProxy,
  },
  HTTP_PROXY: {
    group: 'proxies',
    description: 'The same for an http:// WECOM_API_BASE; also used for https:// when HTTPS_PROXY is empty.',
    parse: proxyUrl,
  },
  HTTPS_PROXY: {
    group: 'proxies',
    description:
      'Forward proxy for the calls to the WeCom server API only (WeCom wants a trusted egress IP), e.g. http://proxy.internal:3128. Browsers, Redis and relying parties are never proxied. https_proxy (lowercase) wins when both are set.',
    parse: proxyUrl,
  },
  NO_PROXY: {
    group: 'proxies',
    description:
      'Comma-separated hosts the WeCom calls reach directly despite a proxy (example.com also covers its subdomains; * = all).',
    parse: optionalText,
  },
  LOG_LEVEL: {
    group: 'service',
    default: 'info',
    description: 'pino log level: fatal, error, warn, info, debug, trace or silent.',
    parse: oneOf(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'must be one of fatal, error, warn, info, debug, trace, silent',
    ),
  },
  CODE_TTL: {
    group: 'lifetimes',
    default: '60',
    description: 'Authorization code lifetime, seconds.',
    parse: seconds(10, 600),
  },
  ACCESS_TOKEN_TTL: {
    group: 'lifetimes',
    default: '600',
    description: 'Access token lifetime, seconds.',
    parse: seconds(60, 86_400),
  },
  ID_TOKEN_TTL: {
    group: 'lifetimes',
    default: '3600',
    description: 'ID token lifetime, seconds.',
    parse: seconds(60, 86_400),
  },
  REFRESH_TOKEN_TTL: {
    group: 'lifetimes',
    default: '1209600',
    description: 'Refresh token lifetime, seconds.',
    parse: seconds(60, 31_536_000),
  },
  SESSION_TTL: {
    group: 'lifetimes',
    default: '28800',
    description: 'Bridge SSO session lifetime, seconds; 0 disables the session (every login goes through WeCom).',
    parse: seconds(0, 2_592_000),
  },
  LOGIN_TTL: {
    group: 'lifetimes',
    default: '600',
    description: 'How long a started login may take (authorize → WeCom → callback), seconds.',
    parse: seconds(60, 3600),
  },
  RATE_LIMIT_WINDOW: {
    group: 'limits',
    default: '60',
    description:
      'Window of the request limits below, seconds. Counters live in Redis when REDIS_URL is set (shared by all replicas).',
    parse: seconds(1, 3600),
  },
  RATE_LIMIT_AUTHORIZE_PER_IP: {
    group: 'limits',
    default: '300',
    description:
      '/authorize requests per window from one source address (IPv6: per /64); beyond it a 429 page with Retry-After. Offices behind one NAT share an address: size it for your busiest morning. 0 = no limit.',
    parse: count,
  },
  RATE_LIMIT_TOKEN_PER_IP: {
    group: 'limits',
    default: '1200',
    description:
      "/token requests per window from one source address; beyond it 429 JSON with Retry-After. The relying party's server is usually one address for all its users. 0 = no limit.",
    parse: count,
  },
  RATE_LIMIT_TOKEN_PER_CLIENT: {
    group: 'limits',
    default: '6000',
    description:
      '/token requests per window of one client, counted only once the request authenticated as that client: nobody else can spend it. 0 = no limit.',
    parse: count,
  },
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP: {
    group: 'limits',
    default: '20',
    description:
      'Failed client authentications at /token per window from one source address; beyond it every /token request from that address gets 429 until the window ends, right secret or not, so guessing stays slow. 0 = no limit.',
    parse: count,
  },
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT: {
    group: 'limits',
    default: '100',
    description:
      "Failed client authentications per window naming one client, from all addresses together; beyond it an address with any failure of its own gets 429 before its secret is compared, while addresses without failures (the client's own server) pass. 0 = no limit.",
    parse: count,
  },
  RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP: {
    group: 'limits',
    default: '10',
    description:
      "WeCom callbacks per window from one source address whose WeCom code WeCom rejected; beyond it that address gets the error page without a WeCom call, so outsiders cannot spend the company's WeCom API quota. Callbacks whose code WeCom is still checking hold a unit meanwhile: more sign-ins from one address at the same instant wait a moment (up to 3 s) for them instead of being refused. 0 = no limit.",
    parse: count,
  },
  RATE_LIMIT_WECOM_CODE_FAILURES_PER_HOUR: {
    group: 'limits',
    default: '1000',
    description:
      'Rejected WeCom codes per hour for the whole bridge (an attack from many addresses); beyond it only addresses a login succeeded from in the last day reach WeCom until the hour ends, which keeps the server below the errors WeCom bans its IP for (~2,000 an hour). 0 = no limit.',
    parse: count,
  },
  RATE_LIMIT_LOGOUT_PER_IP: {
    group: 'limits',
    default: '300',
    description:
      '/logout requests (the "Sign out?" page and its confirmation) per window from one source address; beyond it a 429 page with Retry-After. 0 = no limit.',
    parse: count,
  },
  ALLOW_INSECURE_HTTP: {
    group: 'service',
    default: 'false',
    description:
      'Allow http:// for PUBLIC_URL and redirect URIs on hosts other than loopback (a trusted intranet only; cookies and tokens then travel unencrypted).',
    parse: flag,
  },
  WECOM_ALLOWED_USERS: {
    group: 'access',
    description:
      "Comma-separated userids that may sign in (case-insensitive, as in WeCom). With WECOM_ALLOWED_DEPARTMENTS, a member on either list may sign in; with neither, every active member in the app's visible range may.",
    example: 'zhangsan,lisi',
    parse: userids,
  },
  WECOM_ALLOWED_DEPARTMENTS: {
    group: 'access',
    description:
      'Comma-separated department ids whose members may sign in, sub-departments included (resolved through department/list and cached for DEPARTMENT_CACHE_TTL).',
    example: '2,5',
    parse: departmentIds,
  },
  DEPARTMENT_CACHE_TTL: {
    group: 'access',
    default: '600',
    description: 'How long the department tree (policy) and department names (GROUP_NAMES) are cached, seconds.',
    parse: seconds(10, 86_400),
  },
  OIDC_INITIATE_LOGIN_URI: {
    group: 'clients',
    description: `Login page of the OIDC_CLIENT_ID relying party (e.g. https://nocobase.example.com/signin), linked as "start again" on the bridge's pages; without it the origin of its redirect URI is used. In OIDC_CLIENTS: initiate_login_uri.`,
    parse: optionalText,
  },
  SUB_FORMAT: {
    group: 'claims',
    default: 'userid',
    description:
      'The sub claim: userid (the WeCom userid) or corpid:userid (for sites that may later join several corps). sub is the binding key at the relying party: never change it after go-live.',
    parse: oneOf(['userid', 'corpid:userid'], 'must be userid or corpid:userid'),
  },
  USERNAME_FROM: {
    group: 'claims',
    default: 'userid',
    description: `Source of the username claim: userid, mobile (the phone claim) or email_local_part. A value NocoBase would refuse (1-50 characters, none of @ . < > " ' /) is omitted.`,
    parse: oneOf(['userid', 'mobile', 'email_local_part'], 'must be userid, mobile or email_local_part'),
  },
  EMAIL_FALLBACK_TEMPLATE: {
    group: 'claims',
    description:
      'Email for members without one, e.g. {userid}@corp.example.com; emitted with email_verified false. Only a corporate mailbox (biz_mail) is ever email_verified true.',
    example: '{userid}@corp.example.com',
    parse: emailTemplate,
  },
  GROUP_NAMES: {
    group: 'claims',
    default: 'false',
    description:
      'Also emit group_names (department names, in the order of groups) beside groups (department ids); needs an app that may read department names.',
    parse: flag,
  },
  REQUIRE_CLAIMS: {
    group: 'claims',
    description:
      'Comma-separated claims every login must carry: phone_number and/or email. A login that lacks one gets no code; a desktop login is offered the QR hand-off to the phone (in-client consent). Needs WECOM_SCOPE=snsapi_privateinfo.',
    example: 'phone_number',
    parse: requiredClaims,
  },
  PROFILE_TTL: {
    group: 'claims',
    default: '7776000',
    description:
      "How long a member's consented profile (mobile, email, avatar, gender from an in-client login) is remembered for later desktop logins, seconds (90 days); 0 remembers nothing. Renewed only by a new in-client consent.",
    parse: seconds(0, 31_536_000),
  },
  HANDOFF_TTL: {
    group: 'claims',
    default: '300',
    description: 'How long the QR hand-off from a desktop login to WeCom on the phone stays usable, seconds.',
    parse: seconds(60, 900),
  },
});
