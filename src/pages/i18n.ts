/**
 * Page language: 简体中文 or English, from `?lang=`, `ui_locales` or `Accept-Language`.
 */

/** Languages the pages exist in. */
export type Lang = 'zh' | 'en';

/** A text in both languages. */
export interface Text {
  readonly en: string;
  readonly zh: string;
}

/**
 * Picks the page language: an explicit `lang` override wins, then the first supported entry of
 * `ui_locales` (space-separated, OIDC Core §3.1.2.1), then `Accept-Language` by weight; Chinese
 * otherwise, since WeCom's users mostly read Chinese.
 */
export function pickLang(override?: string, uiLocales?: string, acceptLanguage?: string): Lang {
  for (const tag of [override, ...(uiLocales ?? '').split(' ')]) {
    const lang = tagToLang(tag);
    if (lang) return lang;
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const entry of ranked) {
    const lang = tagToLang(entry.tag);
    if (lang) return lang;
  }
  return 'zh';
}

/** How many `ui_locales` tags are kept, and how long one may be (BCP 47 tags fit in 35). */
const MAX_UI_LOCALES = 5;
const MAX_TAG_LENGTH = 35;
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$/;

/**
 * `ui_locales` reduced to what can matter: its first few well-formed language tags. Only the page
 * language is ever read from it, and whatever is kept (a sign-out confirmation carries it) must
 * stay small however long the parameter was. Undefined when no tag is left.
 */
export function boundedUiLocales(uiLocales: string | undefined): string | undefined {
  const tags = (uiLocales ?? '')
    .split(' ')
    .filter((tag) => tag.length <= MAX_TAG_LENGTH && LANGUAGE_TAG.test(tag))
    .slice(0, MAX_UI_LOCALES);
  return tags.length === 0 ? undefined : tags.join(' ');
}

function tagToLang(tag: string | undefined): Lang | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'zh') return 'zh';
  if (primary === 'en') return 'en';
  return undefined;
}
