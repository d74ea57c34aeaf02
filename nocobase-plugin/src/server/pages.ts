/**
 * The page a failed sign-in shows: what happened, what the person can do, what the administrator
 * can do, a link back to the sign-in page. Plain HTML (no script), every value escaped.
 */
import type { SignInError } from './errors.js';
import { chromeText, failureText, type Lang } from './messages.js';

/** What the page needs besides the error. */
export interface PageContext {
  readonly lang: Lang;
  /** The NocoBase sign-in page, e.g. `/signin`. */
  readonly signInPath: string;
  /** The request id NocoBase logged the failure under, when there is one. */
  readonly reference?: string;
}

/** The HTML of `error`'s page. */
export function failurePage(error: SignInError, page: PageContext): string {
  const text = failureText(error.failure, page.lang);
  const chrome = chromeText(page.lang);
  const admin = error.failure === 'misconfigured' ? `${text.admin}${error.detail}` : text.admin;
  const provider = error.shown
    ? `<p class="provider"><strong>${escapeHtml(chrome.provider)}:</strong> ${escapeHtml(error.shown)}</p>`
    : '';
  const reference = page.reference
    ? `<p class="reference">${escapeHtml(chrome.reference)}: <code>${escapeHtml(page.reference)}</code></p>`
    : '';
  return `<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(text.title)}</title>
<style>
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;background:#f5f5f5;margin:0;color:#222}
main{max-width:36rem;margin:10vh auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:1.3rem;margin-top:0}.admin{background:#fafafa;border-left:3px solid #1677ff;padding:.75rem 1rem;color:#444}
.provider,.reference{color:#666;font-size:.9rem}a.back{display:inline-block;margin-top:1rem;background:#1677ff;color:#fff;padding:.5rem 1rem;border-radius:6px;text-decoration:none}
</style>
</head>
<body>
<main data-failure="${error.failure}">
<h1>${escapeHtml(text.title)}</h1>
<p class="person">${escapeHtml(text.person)}</p>
${provider}
<div class="admin"><strong>${escapeHtml(chrome.forAdmin)}:</strong> ${escapeHtml(admin)}</div>
${reference}
<a class="back" href="${escapeHtml(page.signInPath)}">${escapeHtml(chrome.back)}</a>
</main>
</body>
</html>
`;
}

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
