/**
 * What an administrator pastes where, derived from the configuration only (pure, no I/O): the
 * WeCom admin console entries and the NocoBase OIDC authenticator settings. `npm run doctor`
 * prints it; the README's setup sections say the same.
 */
import type { ClientConfig, Config } from '../config/types.js';
import { weComCallbackUrl } from '../wecom/login-url.js';

/** One line of a paste guide: where, and the exact value. */
export interface Setting {
  readonly field: string;
  readonly value: string;
}

/** A titled group of settings. */
export interface SettingsSection {
  readonly title: string;
  readonly settings: readonly Setting[];
  /** Extra explanations printed under the settings. */
  readonly notes: readonly string[];
}

/** The scope NocoBase should request: everything the bridge can fill in. */
export const NOCOBASE_SCOPE = 'openid email profile phone';

/**
 * The host WeCom must trust: host[:port] of PUBLIC_URL. WeCom compares the redirect's host with
 * its port (a non-default port is part of the domain), never the scheme or path.
 */
export function trustedDomain(publicUrl: string): string {
  return new URL(publicUrl).host;
}

/** The WeCom admin console entries. */
export function weComSettings(config: Config, egressIp?: string): SettingsSection {
  const domain = trustedDomain(config.publicUrl);
  const { loginMode } = config.wecom;
  const settings: Setting[] = [];
  if (loginMode !== 'qr')
    settings.push({ field: '网页授权及JS-SDK → 可信域名 (trusted domain, login inside WeCom)', value: domain });
  if (loginMode !== 'oauth')
    settings.push({ field: '企业微信授权登录 → Web网页授权回调域 (callback domain, web/QR login)', value: domain });
  settings.push({
    field: '企业可信IP (trusted IP)',
    value: egressIp
      ? `${egressIp} (the address WeCom saw this server call from)`
      : "this server's egress IP (or its proxy's, with HTTPS_PROXY)",
  });
  if (config.events)
    settings.push({
      field: '接收消息 → 设置API接收 (event server: URL, Token, EncodingAESKey)',
      value: `${config.publicUrl}/wecom/events (Token and EncodingAESKey: WECOM_CALLBACK_TOKEN, WECOM_CALLBACK_AES_KEY)`,
    });
  return {
    title: `WeCom admin console → 应用管理 → the self-built app with AgentId ${config.wecom.agentId} (corp ${config.wecom.corpId})`,
    settings,
    notes: [
      config.events
        ? "Contact events are on: a member deleted or disabled in WeCom is signed out at once (sessions, tokens, back-channel logout). The app's visible range (可见范围) must include the members whose changes it should receive."
        : 'Contact events are off (WECOM_CALLBACK_TOKEN / WECOM_CALLBACK_AES_KEY unset): a member deleted or disabled in WeCom keeps their relying-party sessions, and their refresh tokens work until the next refresh re-checks them with WeCom. See docs/wecom-setup.md, "Offboarding".',
      `The bridge sends WeCom redirect_uri=${weComCallbackUrl(config.publicUrl)}; only its host (${domain}) is registered in the console.`,
      'WeCom asks to serve a WW_verify_*.txt file at the root of that domain to prove ownership.',
    ],
  };
}

/**
 * The NocoBase settings for one client: the WeCom plugin's authenticator when the client's
 * redirect URI is the plugin's (`/api/wecomBridge:redirect`), else NocoBase's OIDC authenticator.
 */
export function noCoBaseSettings(config: Config, client: ClientConfig): SettingsSection {
  return client.redirectUris.some((uri) => uri.endsWith('/wecomBridge:redirect'))
    ? pluginSettings(config, client)
    : oidcSettings(config, client);
}

/** The WeCom plugin's authenticator (nocobase-plugin/, docs/nocobase.md). */
function pluginSettings(config: Config, client: ClientConfig): SettingsSection {
  return {
    title: `NocoBase → Settings → Authentication → Add new → WeCom (client "${client.clientId}")`,
    settings: [
      { field: 'Issuer', value: config.publicUrl },
      { field: 'Client ID', value: client.clientId },
      {
        field: 'Client secret',
        value:
          'the secret configured for this client (OIDC_CLIENT_SECRET or its client_secret in OIDC_CLIENTS; not printed)',
      },
      {
        field: 'Bind existing users by',
        value: 'Mobile number, Email (the default: a user stored as 13800000000 matches +8613800000000)',
      },
      {
        field: 'Log in automatically inside the WeCom client',
        value: 'on for the authenticator the WeCom workbench uses (one at most)',
      },
    ],
    notes: [
      `Redirect URI (the form shows it; registered here): ${client.redirectUris.join(' , ')}`,
      ...(client.postLogoutRedirectUris.length > 0
        ? [`Post-logout redirect URI: ${client.postLogoutRedirectUris.join(' , ')}`]
        : [
            'Register https://<nocobase>/signin in OIDC_POST_LOGOUT_REDIRECT_URIS: the plugin signs out at the bridge too',
          ]),
    ],
  };
}

/** NocoBase's (commercial) OIDC authenticator. */
function oidcSettings(config: Config, client: ClientConfig): SettingsSection {
  const bindHint =
    config.wecom.scope === 'snsapi_base'
      ? 'username (WECOM_SCOPE=snsapi_base yields no email, so bind existing users by username = WeCom userid)'
      : 'email (the default: WeCom gives the email only after a login inside the WeCom app with consent), or username if your NocoBase usernames are the WeCom userids';
  return {
    title: `NocoBase → Settings → Authentication → Add new → OIDC (client "${client.clientId}")`,
    settings: [
      { field: 'Issuer', value: config.publicUrl },
      { field: 'Client ID', value: client.clientId },
      {
        field: 'Client secret',
        value:
          'the secret configured for this client (OIDC_CLIENT_SECRET or its client_secret in OIDC_CLIENTS; not printed)',
      },
      { field: 'Scope', value: NOCOBASE_SCOPE },
      { field: 'ID Token signed response algorithm', value: config.signing.alg },
      { field: 'Redirect URL (shown by NocoBase; must be registered exactly)', value: client.redirectUris.join(' , ') },
      { field: 'Bind field (使用哪个字段绑定用户)', value: bindHint },
      { field: 'Field map', value: 'nickname → Nickname, email → Email, phone → Phone, username → Username' },
      {
        field: 'Sign up automatically when the user does not exist',
        value: 'on, if WeCom members may create their NocoBase account',
      },
    ],
    notes:
      client.postLogoutRedirectUris.length > 0
        ? [`Post logout redirect URL (RP-initiated logout): ${client.postLogoutRedirectUris.join(' , ')}`]
        : [],
  };
}

/** Every section: WeCom first, then one per relying party. */
export function pasteGuide(config: Config, egressIp?: string): SettingsSection[] {
  return [weComSettings(config, egressIp), ...config.clients.map((client) => noCoBaseSettings(config, client))];
}
