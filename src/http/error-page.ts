/**
 * The HTML page for a failure the bridge cannot (or must not) redirect back to the relying party.
 */
import type { BridgeError } from '../errors/bridge-error.js';
import { escapeHtml, renderDocument } from './html.js';
import type { Lang } from './i18n.js';
import { REASON_MESSAGES, type PageMessage } from './messages.js';

/** Context of one error page. */
export interface ErrorPageContext {
  readonly lang: Lang;
  readonly requestId: string;
  /** A link back to the relying party (which then learns of the error), when one is safe. */
  readonly returnUrl?: string;
}

const LABELS = {
  admin: { en: 'For the administrator', zh: '给管理员' },
  requestId: { en: 'Request ID', zh: '请求编号' },
  error: { en: 'Error', zh: '错误' },
  back: { en: 'Return to the application', zh: '返回应用' },
};

/** Renders `error` as a page in `lang`: what happened, what to do, the admin hint, the request id. */
export function renderErrorPage(error: BridgeError, context: ErrorPageContext): string {
  const { lang } = context;
  const text = messageFor(error);
  const detail = error.expose && error.description !== text.message.en ? `<p>${escapeHtml(error.description)}</p>` : '';
  const hint = error.hint
    ? `<p class="hint"><strong>${LABELS.admin[lang]}:</strong> ${escapeHtml(error.hint)}</p>`
    : '';
  const body = `<h1>${escapeHtml(text.title[lang])}</h1>
<p>${escapeHtml(text.message[lang])}</p>
${detail}
${hint}
${context.returnUrl ? `<div class="actions"><a class="button" href="${escapeHtml(context.returnUrl)}">${LABELS.back[lang]}</a></div>` : ''}
<p class="meta">${LABELS.error[lang]}: <code>${escapeHtml(error.code)}</code> · ${escapeHtml(error.reason)}<br>${LABELS.requestId[lang]}: <code>${escapeHtml(context.requestId)}</code></p>`;
  return renderDocument({ lang: lang === 'zh' ? 'zh-CN' : 'en', title: text.title[lang], body });
}

function messageFor(error: BridgeError): PageMessage {
  return REASON_MESSAGES[error.reason] ?? REASON_MESSAGES[error.code] ?? REASON_MESSAGES.invalid_request!;
}
