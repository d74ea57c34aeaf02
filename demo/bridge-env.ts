/**
 * The bridge's configuration in both demos: loopback, the WeCom simulator in place of WeCom, one
 * relying party, a generated key in a temporary DATA_DIR, and the event server (contact events)
 * with a Token and EncodingAESKey generated per run, which the simulator is given too. No
 * configuration needed from anyone.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The relying party a demo registers. */
export interface DemoClient {
  readonly id: string;
  readonly secret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  /** Where the bridge POSTs logout tokens when the member leaves (Back-Channel Logout 1.0). */
  readonly backchannelLogoutUri: string;
}

/** The event server's secrets, as an administrator copies them from WeCom's 设置API接收 page. */
export interface DemoEventServer {
  /** Token: 32 letters and digits. */
  readonly token: string;
  /** EncodingAESKey: 43 letters and digits. */
  readonly encodingAesKey: string;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh Token and EncodingAESKey (WeCom's console generates them the same way: random letters and digits). */
export function demoEventServer(): DemoEventServer {
  const random = (length: number) =>
    Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
  return { token: random(32), encodingAesKey: random(43) };
}

/** The environment of a demo bridge on `host:port` talking to the simulator at `simUrl`. */
export function demoBridgeEnv(
  host: string,
  port: number,
  simUrl: string,
  client: DemoClient,
  events: DemoEventServer,
): Record<string, string> {
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
    OIDC_BACKCHANNEL_LOGOUT_URI: client.backchannelLogoutUri,
    // The simulator sends its contact events (a member leaves) to <PUBLIC_URL>/wecom/events.
    WECOM_CALLBACK_TOKEN: events.token,
    WECOM_CALLBACK_AES_KEY: events.encodingAesKey,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'wecom-oidc-demo-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    // The demos show logins, not metrics; a fixed metrics port would clash with a bridge beside them.
    METRICS_ADDRESS: 'off',
  };
}
