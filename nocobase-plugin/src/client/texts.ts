/** The client's texts in English and Chinese (NocoBase's UI language picks one). */
const EN = {
  signIn: 'Sign in with WeCom',
  issuer: 'Issuer',
  issuerHelp: 'The bridge\'s PUBLIC_URL (or any OpenID Connect issuer), e.g. https://sso.example.com',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  scope: 'Scope',
  bindBy: 'Bind existing users by',
  bindByHelp: 'The first field that matches an existing user links the member to that user: a verified mobile number (with or without +86), a verified email, or the username equal to the WeCom userid. Accounts with the root or admin role, or already linked to another member, are never linked automatically.',
  phone: 'Mobile number',
  email: 'Email (verified only)',
  username: 'Username',
  autoSignup: 'Sign up automatically when no user matches',
  autoLoginInWeCom: 'Log in automatically inside the WeCom client (only one authenticator may)',
  redirectPath: 'Page after sign-in',
  redirectUri: 'Register this redirect URI at the bridge (OIDC_REDIRECT_URIS):',
  postLogoutUri: 'and this post-logout redirect URI (OIDC_POST_LOGOUT_REDIRECT_URIS):',
};

export type Texts = Record<keyof typeof EN, string>;

const ZH: Texts = {
  signIn: '企业微信登录',
  issuer: 'Issuer',
  issuerHelp: '桥接服务的 PUBLIC_URL（或任何 OpenID Connect issuer），例如 https://sso.example.com',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  scope: 'Scope',
  bindBy: '按以下字段绑定已有用户',
  bindByHelp: '第一个与已有用户匹配的字段会把该成员关联到这个用户：已验证的手机号（带不带 +86 都能匹配）、已验证的邮箱，或与企业微信 userid 相同的用户名。拥有 root 或 admin 角色、或已关联其他成员的账号不会被自动关联。',
  phone: '手机号',
  email: '邮箱（仅已验证）',
  username: '用户名',
  autoSignup: '没有匹配的用户时自动注册',
  autoLoginInWeCom: '在企业微信客户端内自动登录（只能有一个认证器开启）',
  redirectPath: '登录后进入的页面',
  redirectUri: '请在桥接服务中登记此回调地址（OIDC_REDIRECT_URIS）：',
  postLogoutUri: '以及此退出后回调地址（OIDC_POST_LOGOUT_REDIRECT_URIS）：',
};

/** The texts for NocoBase's current language (`zh-*` → Chinese, anything else → English). */
export function textsFor(language: string | undefined): Texts {
  return (language ?? '').toLowerCase().startsWith('zh') ? ZH : EN;
}
