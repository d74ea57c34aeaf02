/**
 * The HTML shell of every page the bridge shows: escaped text, one inline stylesheet allowed by
 * its hash in the Content-Security-Policy, nothing loaded from anywhere else.
 */
import { createHash } from 'node:crypto';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--line:#d1d9e0;--accent:#0a66d8}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#151b23;--line:#3d444d;--accent:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei",sans-serif}
main{max-width:34rem;margin:8vh auto;padding:1.5rem;background:var(--card);border:1px solid var(--line);border-radius:12px}
@media (max-width:36rem){main{margin:0;min-height:100vh;border:0;border-radius:0}}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .75rem}
p{margin:.5rem 0}
.hint{border-left:3px solid var(--accent);padding:.5rem .75rem;background:var(--bg);border-radius:4px;word-break:break-word}
.meta{color:var(--muted);font-size:.8rem;margin-top:1.25rem;word-break:break-all}
.actions{margin-top:1.25rem;display:flex;gap:.75rem;flex-wrap:wrap}
a.button,button{display:inline-block;padding:.55rem 1rem;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:#fff;text-decoration:none;font:inherit;cursor:pointer}
a.button.secondary,button.secondary{background:transparent;color:var(--accent)}
form{margin:0}
h2{font-size:1.05rem;margin:1.25rem 0 .5rem}
.qr{display:flex;justify-content:center;margin:1rem 0}
.qr svg{width:min(15rem,70vw);height:auto;background:#fff;padding:.5rem;border-radius:8px;border:1px solid var(--line)}
.status{font-weight:600}
.steps{padding-left:1.25rem;margin:.5rem 0}
.lang{float:right;font-size:.85rem;color:var(--accent)}
details{margin-top:1rem;color:var(--muted);font-size:.9rem}
details code{word-break:break-all}
pre{overflow:auto;background:var(--bg);border:1px solid var(--line);padding:.75rem;border-radius:6px;font-size:.85rem;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
`;

/** CSP source for the inline stylesheet (no 'unsafe-inline' needed). */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** Parts of a page; `body` is trusted HTML built with {@link escapeHtml}. */
export interface PageParts {
  readonly lang: string;
  readonly title: string;
  readonly body: string;
}

/** A complete HTML document. */
export function renderDocument(parts: PageParts): string {
  return `<!doctype html>
<html lang="${escapeHtml(parts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(parts.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${parts.body}
</main>
</body>
</html>
`;
}
