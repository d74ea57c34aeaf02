/** Reading the bridge's pages in tests (no DOM: the pages are small and regular). */

/** Decodes the entities `escapeHtml` produces (`&#38;` …) and the named basics. */
export function decodeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
}

/** The links of a page: decoded href and text. */
export function pageLinks(html: string): { href: string; text: string }[] {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((match) => ({
    href: decodeHtml(match[1]!),
    text: decodeHtml(match[2]!.replace(/<[^>]+>/g, '')).trim(),
  }));
}

/** The href of the link whose text is `text` (throws when absent, naming the links found). */
export function linkNamed(html: string, text: string): string {
  const links = pageLinks(html);
  const found = links.find((link) => link.text === text);
  if (!found) throw new Error(`no link "${text}" on the page; links: ${links.map((l) => l.text).join(', ')}`);
  return found.href;
}

/** The text of the first `<h1>`. */
export function heading(html: string): string {
  return decodeHtml(/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '');
}

/** The value of `attribute` on the element with `id`. */
export function attributeOf(html: string, id: string, attribute: string): string | undefined {
  const tag = new RegExp(`<[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  const value = tag === undefined ? undefined : new RegExp(`\\b${attribute}="([^"]*)"`).exec(tag)?.[1];
  return value === undefined ? undefined : decodeHtml(value);
}
