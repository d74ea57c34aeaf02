/** Where and how the service listens, and its metrics listener. (Declared once: see ../variables.ts.) */
import { bearerToken, count, listenAddress, port, requiredText, seconds, text } from '../parsers.js';
import { declare } from '../variable.js';

/** Where and how the service listens, and its metrics listener. */
export const SERVICE_VARIABLES = declare({
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
});
