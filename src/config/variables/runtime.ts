/** Signing keys, shared state, proxies and logging. (Declared once: see ../variables.ts.) */
import { oneOf, optionalText, proxyUrl, redisUrl, text, trustProxy } from '../parsers.js';
import { declare } from '../variable.js';

/** Signing keys, shared state, proxies and logging. */
export const RUNTIME_VARIABLES = declare({
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
});
