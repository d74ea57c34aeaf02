/**
 * The client's texts, from the plugin's locale files (`src/locale/<lang>.json`, keyed by the
 * English text as NocoBase's plugins do): NocoBase's UI language picks one.
 */
import en from '../locale/en-US.json' with { type: 'json' };
import zh from '../locale/zh-CN.json' with { type: 'json' };

/** Each text the forms and the button use, by the English text that is its locale key. */
const KEYS = {
  signIn: 'Sign in with WeCom',
  issuer: 'Issuer',
  issuerHelp: "The bridge's PUBLIC_URL (or any OpenID Connect issuer), e.g. https://sso.example.com",
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  scope: 'Scope',
  bindBy: 'Bind existing users by',
  bindByHelp:
    'The first field that matches an existing user links the member to that user: a verified mobile number (with or without +86), a verified email, or the username equal to the WeCom userid. Accounts with the root or admin role, or already linked to another member, are never linked automatically.',
  phone: 'Mobile number',
  email: 'Email (verified only)',
  username: 'Username',
  autoSignup: 'Sign up automatically when no user matches',
  autoLoginInWeCom: 'Log in automatically inside the WeCom client (only one authenticator may)',
  redirectPath: 'Page after sign-in',
  redirectUri: 'Register this redirect URI at the bridge (OIDC_REDIRECT_URIS):',
  postLogoutUri: 'and these post-logout redirect URIs, comma-separated (OIDC_POST_LOGOUT_REDIRECT_URIS):',
  backchannelLogoutUri:
    'and this back-channel logout URI (OIDC_BACKCHANNEL_LOGOUT_URI), so that a member who leaves WeCom is signed out of NocoBase at once:',
  pluginVersion: 'WeCom plugin version',
  bridgeAt: 'Provider',
  bridgeVersion: 'bridge version',
  notBridge: 'not wecom-oidc-bridge (no version given)',
  noPhoneVerified: 'does not vouch for phone numbers (no phone_number_verified): binding by phone will not match',
  unreachable: 'cannot be reached',
} as const;

export type Texts = Record<keyof typeof KEYS, string>;

/** The texts for NocoBase's current language (`zh-*` → Chinese, anything else → English). */
export function textsFor(language: string | undefined): Texts {
  const locale: Record<string, string> = (language ?? '').toLowerCase().startsWith('zh') ? zh : en;
  return Object.fromEntries(Object.entries(KEYS).map(([name, key]) => [name, locale[key] ?? key])) as Texts;
}
