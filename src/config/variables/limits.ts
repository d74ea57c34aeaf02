/** Lifetimes and rate limits. (Declared once: see ../variables.ts.) */
import { count, flag, seconds } from '../parsers.js';
import { declare } from '../variable.js';

/** Lifetimes and rate limits. */
export const LIMIT_VARIABLES = declare({
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
});
