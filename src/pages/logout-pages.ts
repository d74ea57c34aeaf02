/**
 * The two pages of logout: "sign out?" (a POST form carrying a one-time token bound to this
 * browser, so another site cannot sign the user out) and "signed out". Both languages; nothing
 * loaded from elsewhere; every reflected value escaped.
 */
import { escapeHtml, renderDocument } from './html.js';
import type { Lang } from './i18n.js';
import { footer, htmlLang } from './page-kit.js';

const TEXT = {
  confirmTitle: { en: 'Sign out?', zh: '退出登录？' },
  confirmLead: {
    en: 'Do you want to sign out of the WeCom sign-in service? Applications that use it will ask you to sign in again.',
    zh: '确定要退出企业微信登录服务吗？使用它的应用将需要重新登录。',
  },
  asking: { en: 'Requested by', zh: '发起方' },
  signedInAs: { en: 'Signed in as', zh: '当前登录' },
  confirm: { en: 'Sign out', zh: '退出登录' },
  doneTitle: { en: 'You are signed out', zh: '您已退出登录' },
  doneLead: {
    en: 'You are signed out of the WeCom sign-in service. You can close this page.',
    zh: '您已退出企业微信登录服务，可以关闭此页面。',
  },
};

/** What the confirmation page shows and posts. */
export interface LogoutConfirmPage {
  readonly lang: Lang;
  /** Absolute URL of POST /logout (built from PUBLIC_URL). */
  readonly action: string;
  /** The one-time confirmation token (sealed, bound to this browser). */
  readonly handle: string;
  readonly clientId?: string | undefined;
  readonly userName?: string | undefined;
  /** Shown in the footer, as on every page, for support. */
  readonly requestId: string;
}

/** The "sign out?" page. */
export function renderLogoutConfirm(page: LogoutConfirmPage): string {
  const { lang } = page;
  const who = [
    page.clientId ? `<p class="meta">${TEXT.asking[lang]}: <code>${escapeHtml(page.clientId)}</code></p>` : '',
    page.userName ? `<p class="meta">${TEXT.signedInAs[lang]}: ${escapeHtml(page.userName)}</p>` : '',
  ].join('');
  const body = `<h1>${TEXT.confirmTitle[lang]}</h1>
<p>${TEXT.confirmLead[lang]}</p>
${who}
<form method="post" action="${escapeHtml(page.action)}">
<input type="hidden" name="logout_confirm" value="${escapeHtml(page.handle)}">
<div class="actions"><button type="submit">${TEXT.confirm[lang]}</button></div>
</form>
${footer(lang, page.requestId)}`;
  return renderDocument({ lang: htmlLang(lang), title: TEXT.confirmTitle[lang], body });
}

/** The "signed out" page (no redirect target was verified, or none was asked for). */
export function renderSignedOut(lang: Lang, requestId: string): string {
  const body = `<h1>${TEXT.doneTitle[lang]}</h1>
<p>${TEXT.doneLead[lang]}</p>
${footer(lang, requestId)}`;
  return renderDocument({ lang: htmlLang(lang), title: TEXT.doneTitle[lang], body });
}
