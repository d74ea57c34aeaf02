/**
 * Building blocks every page of the bridge shares: action links, the footer with the request id,
 * the language switch. All text passes through {@link escapeHtml}.
 */
import { escapeHtml } from './html.js';
import type { Lang, Text } from './i18n.js';

/** One button-like link. */
export interface ActionLink {
  readonly href: string;
  readonly label: string;
  readonly secondary?: boolean;
}

/** A row of links; empty when there are none. */
export function actions(links: readonly (ActionLink | undefined)[]): string {
  const items = links.filter((link): link is ActionLink => link !== undefined);
  if (items.length === 0) return '';
  const html = items.map(
    (link) =>
      `<a class="button${link.secondary ? ' secondary' : ''}" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a>`,
  );
  return `<div class="actions">${html.join('')}</div>`;
}

/** The footer: optional error code and reason, and the request id people quote to support. */
export function footer(lang: Lang, requestId: string, error?: { code: string; reason: string }): string {
  const errorLine = error
    ? `${LABELS.error[lang]}: <code>${escapeHtml(error.code)}</code> · ${escapeHtml(error.reason)}<br>`
    : '';
  return `<p class="meta">${errorLine}${LABELS.requestId[lang]}: <code>${escapeHtml(requestId)}</code></p>`;
}

/**
 * A link to the same page in the other language (`?lang=`), for pages that can be fetched again
 * without side effects; undefined elsewhere.
 */
export function languageSwitch(lang: Lang, sameUrl: string | undefined): string {
  // A page must render whatever the request looked like: no link rather than an exception.
  if (sameUrl === undefined || !URL.canParse(sameUrl)) return '';
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const url = new URL(sameUrl);
  url.searchParams.set('lang', other);
  return `<a class="lang" lang="${other === 'zh' ? 'zh-CN' : 'en'}" href="${escapeHtml(url.href)}">${LABELS.otherLanguage[lang]}</a>`;
}

/** The `lang` attribute value of a page. */
export function htmlLang(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

/** Labels shared by every page. */
export const LABELS = {
  admin: { en: 'For the administrator', zh: '给管理员' },
  requestId: { en: 'Request ID', zh: '请求编号' },
  error: { en: 'Error', zh: '错误' },
  back: { en: 'Return to the application', zh: '返回应用' },
  startAgain: { en: 'Start again', zh: '重新登录' },
  otherLanguage: { en: '中文', zh: 'English' },
} satisfies Record<string, Text>;
