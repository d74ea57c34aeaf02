/**
 * Reading the documentation as tests need it: the fenced code block that follows a
 * `<!-- snippet:name -->` marker, and the relative links with their anchors.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A Markdown file of the repository, e.g. `README.md` or `docs/nocobase.md`. */
export function readDoc(path: string): string {
  return readFileSync(`${ROOT}${path}`, 'utf8');
}

/** The code of the fenced block right after `<!-- snippet:<name> -->` in `path`. */
export function snippet(path: string, name: string): string {
  const text = readDoc(path);
  const marker = `<!-- snippet:${name} -->`;
  const at = text.indexOf(marker);
  if (at === -1) throw new Error(`${path} has no ${marker}`);
  const match = /^\s*```[a-z]*\n([\s\S]*?)^```$/m.exec(text.slice(at + marker.length));
  if (!match) throw new Error(`${path}: no fenced code block after ${marker}`);
  return match[1]!;
}

/** Relative links (`[text](target)`) outside code blocks. */
export function relativeLinks(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```$/gm, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading of a Markdown text. */
export function anchors(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```$/gm, '');
  return [...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!));
}
