/**
 * The sign-in pages' texts in English and Chinese: for each failure, what the person sees and
 * what the administrator can do about it.
 */
import type { SignInFailure } from './errors.js';

export type Lang = 'en-US' | 'zh-CN';

interface FailureText {
  readonly title: string;
  readonly person: string;
  readonly admin: string;
}

const EN: Record<SignInFailure, FailureText> = {
  authenticator_unknown: { title: 'Unknown sign-in method', person: 'This sign-in link names a sign-in method that does not exist or is disabled.', admin: 'Check the authenticator name in the link and that the authenticator is enabled in Settings → Authentication.' },
  misconfigured: { title: 'Sign-in is not set up completely', person: 'WeCom sign-in is not configured completely on this site.', admin: 'Open Settings → Authentication, edit this authenticator and fix: ' },
  provider_unreachable: { title: 'The sign-in service cannot be reached', person: 'NocoBase could not reach the WeCom sign-in service. Try again in a minute.', admin: 'Check that the issuer URL is right and that NocoBase can reach it (DNS, firewall, proxy): NocoBase fetches <issuer>/.well-known/openid-configuration, the JWKS, the token and userinfo endpoints.' },
  issuer_mismatch: { title: 'The sign-in service is misconfigured', person: 'The WeCom sign-in service answered with a different identity than configured.', admin: 'The discovery document\'s "issuer" must equal the configured issuer exactly: set the issuer to the bridge\'s PUBLIC_URL.' },
  invalid_client: { title: 'NocoBase is not registered at the sign-in service', person: 'The WeCom sign-in service did not accept this NocoBase site.', admin: 'The client ID or client secret does not match the bridge\'s OIDC_CLIENT_ID / OIDC_CLIENT_SECRET: correct them in Settings → Authentication.' },
  state_invalid: { title: 'This sign-in expired or was not started here', person: 'This sign-in link has expired, or it was started in another browser. Start again from the sign-in page.', admin: 'Nothing to do unless it happens to everyone: then check that cookies reach /api/wecomBridge (a proxy that strips cookies) and that the site is opened under one address.' },
  state_used: { title: 'This sign-in was already used', person: 'This sign-in has already been completed once. Start again from the sign-in page.', admin: 'Nothing to do: each sign-in answer is accepted once (a reload or a replayed link shows this page).' },
  access_denied: { title: 'Sign-in was refused', person: 'The sign-in was cancelled or refused, so you are not signed in.', admin: 'The provider refused the sign-in (the person declined, or is disabled or outside the app\'s visible range in WeCom). See the bridge\'s log for the reason.' },
  provider_error: { title: 'The sign-in service reported an error', person: 'The WeCom sign-in service could not complete the sign-in. Try again.', admin: 'See the provider\'s error below and NocoBase\'s log.' },
  code_rejected: { title: 'This sign-in answer was not accepted', person: 'The sign-in answer was already used or has expired. Start again from the sign-in page.', admin: 'The provider refused the authorization code (invalid_grant): a replayed or expired callback, or a redirect URI that differs from the one registered at the bridge.' },
  token_invalid: { title: 'The sign-in could not be verified', person: 'NocoBase could not verify the answer of the sign-in service.', admin: 'The ID token failed verification (signature, issuer, audience, expiry or nonce): check the issuer and client ID, and that the clocks of both hosts are right.' },
  userinfo_mismatch: { title: 'The sign-in could not be verified', person: 'The sign-in service gave inconsistent answers.', admin: 'The userinfo response names another subject than the ID token: check that the issuer\'s endpoints belong to one provider.' },
  no_account: { title: 'No NocoBase account for this WeCom member', person: 'You signed in with WeCom, but this NocoBase site has no account for you.', admin: 'Create the user in NocoBase with the member\'s mobile number or email (they are found by the "Bind by" fields), or turn on "Sign up automatically" for this authenticator.' },
  account_bound_elsewhere: { title: 'This account belongs to another WeCom member', person: 'The NocoBase account with your mobile number or email is already linked to another WeCom member.', admin: 'Check the user\'s mobile number and email in NocoBase; remove the old link (Users → the user → authenticators) if the account really is this member\'s.' },
  account_protected: { title: 'This account is never linked automatically', person: 'The NocoBase account that matches your mobile number, email or username is an administrator\'s account, which WeCom sign-in never takes over by itself.', admin: 'If the account really is this member\'s, link it deliberately: as root, create the binding in NocoBase (usersAuthenticators: authenticator, the member\'s WeCom userid as uuid, the user\'s id); see docs/nocobase.md › Linking an administrator\'s account.' },
  internal: { title: 'Sign-in could not be completed', person: 'Something went wrong in NocoBase while signing you in. Try again.', admin: 'See NocoBase\'s log for "wecom-bridge: sign-in failed" with the reference below.' },
};

const ZH: Record<SignInFailure, FailureText> = {
  authenticator_unknown: { title: '未知的登录方式', person: '该登录链接指向的登录方式不存在或已停用。', admin: '请检查链接中的认证器名称，并在 设置 → 用户认证 中确认该认证器已启用。' },
  misconfigured: { title: '登录尚未配置完整', person: '本站的企业微信登录尚未配置完整。', admin: '请在 设置 → 用户认证 中编辑该认证器并修正：' },
  provider_unreachable: { title: '无法连接登录服务', person: 'NocoBase 无法连接企业微信登录服务，请稍后重试。', admin: '请检查 Issuer 地址是否正确，以及 NocoBase 能否访问它（DNS、防火墙、代理）：NocoBase 需要访问 <issuer>/.well-known/openid-configuration、JWKS、token 与 userinfo 端点。' },
  issuer_mismatch: { title: '登录服务配置有误', person: '企业微信登录服务返回的身份与配置不一致。', admin: '发现文档中的 "issuer" 必须与配置的 Issuer 完全一致：请将 Issuer 设为桥接服务的 PUBLIC_URL。' },
  invalid_client: { title: '本站未在登录服务中注册', person: '企业微信登录服务不接受本 NocoBase 站点。', admin: 'Client ID 或 Client secret 与桥接服务的 OIDC_CLIENT_ID / OIDC_CLIENT_SECRET 不一致：请在 设置 → 用户认证 中修正。' },
  state_invalid: { title: '登录已过期或不是在此浏览器发起的', person: '该登录链接已过期，或是在另一个浏览器中发起的。请回到登录页重新登录。', admin: '若只是偶发无需处理；若所有人都遇到，请检查代理是否把 Cookie 传到 /api/wecomBridge，以及站点是否只用一个地址访问。' },
  state_used: { title: '该登录已使用过', person: '该登录已经完成过一次。请回到登录页重新登录。', admin: '无需处理：每次登录的回调只接受一次（刷新或重放链接会看到此页）。' },
  access_denied: { title: '登录被拒绝', person: '登录已取消或被拒绝，您尚未登录。', admin: '身份提供方拒绝了登录（成员拒绝授权，或在企业微信中已停用、不在应用可见范围内）。原因见桥接服务日志。' },
  provider_error: { title: '登录服务报告了错误', person: '企业微信登录服务未能完成登录，请重试。', admin: '请查看下方的错误信息与 NocoBase 日志。' },
  code_rejected: { title: '登录回调未被接受', person: '该登录回调已被使用或已过期。请回到登录页重新登录。', admin: '身份提供方拒绝了授权码（invalid_grant）：回调被重放或已过期，或回调地址与桥接服务中注册的不一致。' },
  token_invalid: { title: '无法验证登录', person: 'NocoBase 无法验证登录服务的应答。', admin: 'ID Token 校验失败（签名、issuer、audience、有效期或 nonce）：请检查 Issuer 与 Client ID，以及两台主机的时钟。' },
  userinfo_mismatch: { title: '无法验证登录', person: '登录服务的应答前后不一致。', admin: 'userinfo 返回的 sub 与 ID Token 不同：请确认 Issuer 的各端点属于同一身份提供方。' },
  no_account: { title: '该企业微信成员在 NocoBase 中没有账号', person: '您已通过企业微信验证，但本 NocoBase 站点没有您的账号。', admin: '请在 NocoBase 中用该成员的手机号或邮箱创建用户（按“绑定字段”查找已有用户），或为该认证器开启“自动注册”。' },
  account_bound_elsewhere: { title: '该账号已属于另一位企业微信成员', person: '与您的手机号或邮箱对应的 NocoBase 账号已关联另一位企业微信成员。', admin: '请检查该用户在 NocoBase 中的手机号与邮箱；如该账号确属此成员，请先解除原有关联。' },
  account_protected: { title: '该账号不会被自动关联', person: '与您的手机号、邮箱或用户名对应的 NocoBase 账号是管理员账号，企业微信登录不会自动接管它。', admin: '如该账号确属此成员，请手动关联：以 root 身份在 NocoBase 中创建绑定（usersAuthenticators：认证器名称、成员的企业微信 userid 作为 uuid、用户 id）；详见 docs/nocobase.md 中“关联管理员账号”。' },
  internal: { title: '登录未能完成', person: 'NocoBase 在为您登录时出错，请重试。', admin: '请在 NocoBase 日志中查找带有下方参考编号的 "wecom-bridge: sign-in failed"。' },
};

const CHROME = {
  'en-US': { back: 'Back to sign in', provider: 'The sign-in service said', forAdmin: 'For the administrator', reference: 'Reference' },
  'zh-CN': { back: '返回登录页', provider: '登录服务的说明', forAdmin: '管理员可以这样处理', reference: '参考编号' },
} as const;

/** The language of a page: Chinese when the browser prefers it, else English. */
export function pageLanguage(acceptLanguage: string | undefined): Lang {
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('zh') ? 'zh-CN' : 'en-US';
}

/** The texts of `failure`'s page in `lang`. */
export function failureText(failure: SignInFailure, lang: Lang): FailureText {
  return (lang === 'zh-CN' ? ZH : EN)[failure];
}

/** The page's fixed labels in `lang`. */
export function chromeText(lang: Lang): (typeof CHROME)[Lang] {
  return CHROME[lang];
}
