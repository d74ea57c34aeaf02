/**
 * The HTML page for a failure the bridge cannot (or must not) redirect back to the relying party,
 * or wants to explain before it does: what happened, what to do, the administrator hint (which
 * names the fix), the request id, and where safe, links back to the application.
 */
import type { BridgeError } from '../errors/bridge-error.js';
import { adminHint, type HintFacts } from './admin-hints.js';
import { escapeHtml, renderDocument } from './html.js';
import type { Lang } from './i18n.js';
import { pageMessage } from './messages.js';
import { actions, footer, htmlLang, LABELS, languageSwitch } from './page-kit.js';

/** Context of one error page. */
export interface ErrorPageContext {
  readonly lang: Lang;
  readonly requestId: string;
  /** A link back to the relying party carrying the OAuth error (it then ends its pending login). */
  readonly returnUrl?: string;
  /** The relying party's login page ("start again"), when one is known and safe. */
  readonly startAgainUrl?: string;
  /** Deployment facts the administrator hint may name. */
  readonly facts?: HintFacts;
  /** This page's own URL, when fetching it again is harmless (offers the other language). */
  readonly selfUrl?: string;
}

/** Renders `error` as a page in `lang`. */
export function renderErrorPage(error: BridgeError, context: ErrorPageContext): string {
  const { lang } = context;
  const text = pageMessage(error.reason, error.code);
  const detail =
    error.expose && error.description !== text.message.en && lang === 'en'
      ? `<p>${escapeHtml(error.description)}</p>`
      : '';
  const hintText = adminHint(error, lang, context.facts);
  const hint = hintText ? `<p class="hint"><strong>${LABELS.admin[lang]}:</strong> ${escapeHtml(hintText)}</p>` : '';
  const links = actions([
    context.returnUrl ? { href: context.returnUrl, label: LABELS.back[lang] } : undefined,
    context.startAgainUrl
      ? { href: context.startAgainUrl, label: LABELS.startAgain[lang], secondary: context.returnUrl !== undefined }
      : undefined,
  ]);
  const body = `${languageSwitch(lang, context.selfUrl)}<h1>${escapeHtml(text.title[lang])}</h1>
<p>${escapeHtml(text.message[lang])}</p>
${detail}
${hint}
${links}
${footer(lang, context.requestId, error)}`;
  return renderDocument({ lang: htmlLang(lang), title: text.title[lang], body });
}
