/**
 * The bridge's configuration in both demos: loopback, the WeCom simulator in place of WeCom, one
 * relying party, a generated key in a temporary DATA_DIR. No configuration needed from anyone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The relying party a demo registers. */
export interface DemoClient {
  readonly id: string;
  readonly secret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
}

/** The environment of a demo bridge on `host:port` talking to the simulator at `simUrl`. */
export function demoBridgeEnv(host: string, port: number, simUrl: string, client: DemoClient): Record<string, string> {
  return {
    PUBLIC_URL: `http://${host}:${port}`,
    HOST: host,
    PORT: String(port),
    WECOM_CORP_ID: 'ww5imulat0rc0rp1d',
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'sim-secret-0123456789',
    WECOM_API_BASE: simUrl,
    WECOM_OAUTH_BASE: simUrl,
    WECOM_SSO_BASE: simUrl,
    OIDC_CLIENT_ID: client.id,
    OIDC_CLIENT_SECRET: client.secret,
    OIDC_REDIRECT_URIS: client.redirectUri,
    OIDC_POST_LOGOUT_REDIRECT_URIS: client.postLogoutRedirectUri,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'wecom-oidc-demo-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    // The demos show logins, not metrics; a fixed metrics port would clash with a bridge beside them.
    METRICS_ADDRESS: 'off',
  };
}
