/**
 * The undici dispatcher used for WeCom calls, and only for them: keep-alive connections, bounded
 * timeouts, and the outbound proxy when one is configured.
 *
 * WeCom accepts data-API calls only from the app's trusted egress IPs (60020 otherwise), so sites
 * often route the bridge's WeCom traffic through a fixed-IP forward proxy. The proxy is applied
 * here, never as undici's global dispatcher: Redis, loopback health checks and anything else the
 * process does keep their direct route. With HTTPS targets undici tunnels through the proxy with
 * CONNECT (TLS stays end to end); plain http targets are forwarded in absolute form.
 */
import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';
import type { OutboundProxyConfig } from '../config/types.js';

const AGENT_OPTIONS = {
  connect: { timeout: 3000 },
  headersTimeout: 5000,
  bodyTimeout: 5000,
  keepAliveTimeout: 30_000,
  connections: 64,
} as const;

/** Creates the WeCom dispatcher; with `proxy`, WeCom calls go through it (except NO_PROXY hosts). */
export function createWeComDispatcher(proxy?: OutboundProxyConfig): Dispatcher {
  if (!proxy) return new Agent(AGENT_OPTIONS);
  // Every value is passed explicitly ('' = none): the agent must not fall back to process.env,
  // the configuration (with .env and its validation) is the only source.
  return new EnvHttpProxyAgent({
    ...AGENT_OPTIONS,
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? proxy.httpProxy ?? '',
    noProxy: proxy.noProxy ?? '',
  });
}

/** A proxy URL for logs and doctor output: scheme, host and port, never credentials. */
export function describeProxy(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(unparsable proxy URL)';
  }
}
