/**
 * The parameters of WeCom's three login pages, checked as WeCom checks them (appid, response_type,
 * scope, login_type, agentid, redirect_uri and its trusted domain, state), and the callback URL
 * WeCom builds from them.
 */
import type { SimConfig } from './config.js';

/** Which login page: in-client OAuth, desktop web login, or the legacy QR page. */
export type LoginPage = 'oauth' | 'sso' | 'qr';

/** A valid login request. */
export interface AuthorizeRequest {
  readonly redirectUri: URL;
  /** Echoed back verbatim; may be empty. */
  readonly state: string;
  /** In-client: snsapi_base or snsapi_privateinfo (legacy snsapi_userinfo counts as base); web login: 'web'. */
  readonly scope: 'snsapi_base' | 'snsapi_privateinfo' | 'web';
}

/** Why WeCom refuses to show a login page, in both of its languages. */
export interface PageProblem {
  readonly zh: string;
  readonly en: string;
}

type Query = Readonly<Record<string, unknown>>;

const IN_CLIENT_SCOPES: Readonly<Record<string, AuthorizeRequest['scope']>> = {
  snsapi_base: 'snsapi_base',
  snsapi_userinfo: 'snsapi_base',
  snsapi_privateinfo: 'snsapi_privateinfo',
};

/** The request, or the problem WeCom's error page names (it never redirects on a bad request). */
export function checkAuthorizeRequest(
  config: SimConfig,
  page: LoginPage,
  query: Query,
): AuthorizeRequest | PageProblem {
  if (text(query.appid) !== config.corpId)
    return { zh: 'appid 参数错误', en: `invalid appid: ${String(query.appid ?? '')}` };
  const scope = page === 'oauth' ? IN_CLIENT_SCOPES[text(query.scope) ?? ''] : 'web';
  if (page === 'oauth' && text(query.response_type) !== 'code')
    return { zh: 'response_type 参数错误', en: 'invalid response_type: must be code' };
  if (!scope) return { zh: 'scope 参数错误', en: `invalid scope: ${String(query.scope ?? '')}` };
  if (page === 'sso' && text(query.login_type) !== 'CorpApp')
    return { zh: 'login_type 参数错误', en: 'invalid login_type: a self-built app uses CorpApp' };
  // Web login and privateinfo need the agent; in-client base may omit it but must not name another.
  const agentRequired = page !== 'oauth' || scope === 'snsapi_privateinfo';
  if ((agentRequired || query.agentid !== undefined) && text(query.agentid) !== config.agentId) {
    return { zh: '无效的agentid参数', en: `invalid agentid: ${String(query.agentid ?? '(missing)')}` };
  }
  const redirectUri = parseRedirect(query.redirect_uri);
  if (!redirectUri)
    return { zh: 'redirect_uri 参数错误', en: 'invalid redirect_uri: an absolute http(s) URL is required' };
  if (config.trustedDomains.length > 0 && !config.trustedDomains.includes(redirectUri.host)) {
    return {
      zh: 'redirect_uri需使用应用可信域名',
      en: `redirect_uri must use a trusted domain of the app (got ${redirectUri.host})`,
    };
  }
  if (typeof query.state !== 'string') return { zh: 'state 参数错误', en: 'invalid state: missing' };
  if (!/^[A-Za-z0-9]{0,128}$/.test(query.state))
    return { zh: 'state 参数错误', en: 'invalid state: must match [A-Za-z0-9]{0,128}' };
  return { redirectUri, state: query.state, scope };
}

/** True when the check failed. */
export function isProblem(checked: AuthorizeRequest | PageProblem): checked is PageProblem {
  return 'zh' in checked;
}

/**
 * The redirect URI with `params` appended to its own query (`?` or `&` as needed). WeCom drops the
 * fragment: it puts its parameters where the fragment started and loses the rest.
 */
export function callbackUrl(redirectUri: URL, params: Readonly<Record<string, string>>): string {
  const base = redirectUri.href.split('#')[0]!;
  const query = Object.entries(params)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${query}`;
}

function parseRedirect(value: unknown): URL | undefined {
  const raw = text(value);
  if (!raw || !URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

/** A single non-empty string parameter (repeated parameters arrive as arrays: not valid). */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
