/**
 * The simulated WeCom login pages: in-client OAuth (`/connect/oauth2/authorize`), desktop web
 * login (`/wwlogin/sso/login`) and the legacy QR page (`/wwopen/sso/qrConnect`).
 *
 * They validate like WeCom (a bad parameter or an untrusted redirect host gives an error page, never
 * a redirect), then log a member in: the one named by `sim_user` (query) or `x-sim-user` (header),
 * else `defaultUser`, else the person picks one on a page. `sim_action=deny` cancels (WeCom then
 * redirects with `state` only); `sim_consent=0` declines sharing phone and email.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimMember } from './directory.js';
import type { SimState } from './state.js';

type Query = Record<string, unknown>;
type Leg = 'oauth' | 'web';

interface LoginRequest {
  readonly leg: Leg;
  readonly redirectUri: URL;
  readonly state: string;
  /** snsapi_base | snsapi_privateinfo (in-client), 'web' otherwise. */
  readonly scope: string;
}

/** Registers the three login pages. */
export function registerPages(app: FastifyInstance, state: SimState): void {
  app.get('/connect/oauth2/authorize', (request, reply) => loginPage(state, 'oauth', request, reply));
  app.get('/wwlogin/sso/login', (request, reply) => loginPage(state, 'web', request, reply));
  app.get('/wwopen/sso/qrConnect', (request, reply) => loginPage(state, 'web', request, reply));
}

async function loginPage(state: SimState, leg: Leg, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const q = (request.query ?? {}) as Query;
  const checked = validate(state, leg, q, request.url);
  if (typeof checked === 'string') return page(reply, '出错了 / Error', checked);
  if (q.sim_action === 'deny') return reply.redirect(callbackUrl(checked, { state: checked.state }), 302);
  const header = request.headers['x-sim-user'];
  const chosen = text(q.sim_user) ?? (typeof header === 'string' ? header : undefined) ?? state.config.defaultUser;
  if (chosen === undefined) return page(reply, '选择成员 / Pick a member', picker(state, request.url));
  const member = state.findMember(chosen);
  if (!member) return page(reply, '出错了 / Error', `未知成员 / Unknown member: ${chosen}`);
  if (checked.scope === 'snsapi_privateinfo' && member.visible === false) {
    return page(reply, '无权限 / No permission', '成员不在可见范围 / The member is outside the app’s visible range');
  }
  // A person who picked from the list sees the consent screen, as in WeCom; scripted logins consent.
  if (checked.scope === 'snsapi_privateinfo' && text(q.sim_user) !== undefined && q.sim_consent === undefined) {
    return page(reply, '授权 / Consent', consentPage(member, request.url));
  }
  const code = state.mintCode({
    userid: member.userid,
    nonMember: member.nonMember === true,
    scope: checked.scope,
    redirectHost: checked.redirectUri.host,
    consent: q.sim_consent !== '0',
  });
  return reply.redirect(callbackUrl(checked, { code, state: checked.state }), 302);
}

/** WeCom's checks, in its order; a string is the error to show. */
function validate(state: SimState, leg: Leg, q: Query, url: string): LoginRequest | string {
  const { corpId, agentId, trustedDomains } = state.config;
  if (q.appid !== corpId) return `appid 参数错误 / invalid appid: ${String(q.appid ?? '')}`;
  const scope = leg === 'oauth' ? text(q.scope) : 'web';
  if (leg === 'oauth') {
    if (q.response_type !== 'code') return 'response_type 参数错误 / response_type must be code';
    if (scope !== 'snsapi_base' && scope !== 'snsapi_privateinfo' && scope !== 'snsapi_userinfo') return 'scope 参数错误 / invalid scope';
  } else if (url.startsWith('/wwlogin/') && q.login_type !== 'CorpApp') {
    return 'login_type 参数错误 / login_type must be CorpApp';
  }
  const agentRequired = leg === 'web' || scope === 'snsapi_privateinfo';
  if ((agentRequired || q.agentid !== undefined) && q.agentid !== agentId) return '无效的agentid参数 / invalid agentid';
  const redirect = parseRedirect(text(q.redirect_uri));
  if (!redirect) return 'redirect_uri 参数错误 / invalid redirect_uri';
  if (trustedDomains.length > 0 && !trustedDomains.includes(redirect.host)) {
    return `redirect_uri需使用应用可信域名 / redirect_uri must use a trusted domain of the app: ${redirect.host}`;
  }
  const stateValue = typeof q.state === 'string' ? q.state : '';
  if (!/^[A-Za-z0-9]{0,128}$/.test(stateValue)) return 'state 参数错误 / state must be [A-Za-z0-9]{0,128}';
  // snsapi_userinfo is a legacy scope, treated as snsapi_base.
  return { leg, redirectUri: redirect, state: stateValue, scope: scope === 'snsapi_userinfo' ? 'snsapi_base' : scope! };
}

/** The redirect URI with `code`/`state` appended to its own query; WeCom drops the fragment. */
function callbackUrl(request: LoginRequest, params: Record<string, string>): string {
  const base = request.redirectUri.href.split('#')[0]!;
  const query = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

function picker(state: SimState, url: string): string {
  const members = [...state.members.values()].slice(0, 50);
  const items = members.map((m) => `<li><a href="${escape(withParam(url, 'sim_user', m.userid))}">${escape(m.name)} <code>${escape(m.userid)}</code></a> ${describe(m)}</li>`);
  return `<p>模拟的企业微信登录：选择要登录的成员。<br>Simulated WeCom login: pick the member to sign in as.</p>
<ul>${items.join('')}</ul>
<p><a href="${escape(withParam(url, 'sim_action', 'deny'))}">拒绝 / Cancel the login</a></p>`;
}

function consentPage(member: SimMember, url: string): string {
  return `<p><strong>${escape(member.name)}</strong>：应用申请获取你的手机号、邮箱、头像和性别。<br>The app asks for your mobile, email, avatar and gender.</p>
<p><a href="${escape(withParam(url, 'sim_consent', '1'))}">同意 / Allow</a> · <a href="${escape(withParam(url, 'sim_consent', '0'))}">不提供 / Do not share</a></p>`;
}

function describe(member: SimMember): string {
  if (member.nonMember) return '(非成员 / not a member)';
  if (member.visible === false) return '(不在可见范围 / not visible)';
  const status: Record<number, string> = { 2: '(已禁用 / disabled)', 4: '(未激活 / not activated)', 5: '(已离职 / left)' };
  return status[member.status] ?? '';
}

function page(reply: FastifyReply, title: string, body: string): FastifyReply {
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title></head>
<body style="font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem"><h1 style="font-size:1.3rem">企业微信（模拟器）· ${escape(title)}</h1>${body}</body></html>`;
  return reply.code(200).type('text/html; charset=utf-8').send(html);
}

function withParam(url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

function parseRedirect(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
