/**
 * The WeCom URL a browser is sent to, as the contract spells it.
 */
import type { LoginMode, WeComConfig } from '../config/types.js';

/** The two ways into WeCom: in-client OAuth, or desktop web login (QR / desktop client). */
export type WeComLeg = 'oauth' | 'qr';

/**
 * Picks the leg: `auto` uses in-client OAuth only inside the WeCom client, whose webviews carry
 * `wxwork` in the User-Agent (personal WeChat carries `MicroMessenger` without it and gets the
 * web login; in-client OAuth yields no identity outside WeCom).
 */
export function chooseLeg(mode: LoginMode, userAgent: string | undefined): WeComLeg {
  if (mode !== 'auto') return mode;
  return /wxwork/i.test(userAgent ?? '') ? 'oauth' : 'qr';
}

/** The bridge's callback, the `redirect_uri` given to WeCom. Its host must be a trusted domain. */
export function weComCallbackUrl(publicUrl: string): string {
  return `${publicUrl}/wecom/callback`;
}

/**
 * The authorize URL of the chosen leg. `state` is the bridge's own alphanumeric handle, never the
 * relying party's state. `lang` (zh|en) only applies to the web login page.
 */
export function weComLoginUrl(
  config: WeComConfig,
  publicUrl: string,
  leg: WeComLeg,
  state: string,
  lang?: 'zh' | 'en',
): string {
  const redirect = encodeURIComponent(weComCallbackUrl(publicUrl));
  const appid = encodeURIComponent(config.corpId);
  const agentid = encodeURIComponent(config.agentId);
  if (leg === 'oauth') {
    return (
      `${config.oauthBase}/connect/oauth2/authorize?appid=${appid}&redirect_uri=${redirect}` +
      `&response_type=code&scope=${config.scope}&state=${state}&agentid=${agentid}#wechat_redirect`
    );
  }
  const langParam = lang ? `&lang=${lang}` : '';
  return `${config.ssoBase}/wwlogin/sso/login?login_type=CorpApp&appid=${appid}&agentid=${agentid}&redirect_uri=${redirect}&state=${state}${langParam}`;
}
