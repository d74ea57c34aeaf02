/**
 * `WECOM_DOMAIN_VERIFY_FILE`: the ownership file(s) WeCom asks for before it accepts a trusted
 * domain (网页授权及JS-SDK → 可信域名 → 校验域名归属). WeCom fetches
 * `https://<domain>/WW_verify_<token>.txt` from the domain root and compares its content.
 *
 * Each comma-separated entry is either
 * - `WW_verify_<token>.txt:<content>`: the file's name and content written inline, or
 * - a path to the downloaded file (its name must still be `WW_verify_<token>.txt`).
 *
 * Several entries exist because one domain may need the file of several apps or corps.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** One file the bridge serves at `/<name>`. */
export interface DomainVerifyFile {
  /** `WW_verify_<token>.txt`. */
  readonly name: string;
  /** The exact content WeCom expects (the file without its trailing newline). */
  readonly content: string;
}

/** The name WeCom gives its verification files; the token is letters and digits. */
export const VERIFY_FILE_NAME = /^WW_verify_[A-Za-z0-9]{1,64}\.txt$/;

/** Content of a verification file: one short token of printable ASCII. */
const VERIFY_CONTENT = /^[\x21-\x7E]{1,256}$/;

const INLINE_ENTRY = /^(WW_verify_[^:/\\]*\.txt):(.*)$/s;

/** Reads a file as text (injected by tests). */
export type ReadText = (path: string) => string;

/**
 * Parses the variable. Problems are returned, not thrown, so the loader can report them with
 * every other problem at once.
 */
export function parseDomainVerifyFiles(
  value: string | undefined,
  read: ReadText = (path) => readFileSync(path, 'utf8'),
): { files: DomainVerifyFile[]; problems: string[] } {
  const files: DomainVerifyFile[] = [];
  const problems: string[] = [];
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const result = INLINE_ENTRY.test(entry) ? inlineEntry(entry) : fileEntry(entry, read);
    if (typeof result === 'string') problems.push(result);
    else if (files.some((file) => file.name === result.name)) problems.push(`${result.name} is listed twice`);
    else files.push(result);
  }
  return { files, problems };
}

function inlineEntry(entry: string): DomainVerifyFile | string {
  const [, name, content] = INLINE_ENTRY.exec(entry)!;
  return checked(name!, content!.trim(), `"${name}"`);
}

function fileEntry(path: string, read: ReadText): DomainVerifyFile | string {
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return `cannot read "${path}" (${code}); write WW_verify_<token>.txt:<content> or the path of the downloaded file`;
  }
  // Editors and downloads may add a final newline; WeCom compares the token itself.
  return checked(basename(path), text.trim(), `"${path}"`);
}

function checked(name: string, content: string, where: string): DomainVerifyFile | string {
  if (!VERIFY_FILE_NAME.test(name)) {
    return `${where}: the file name must be WW_verify_<letters and digits>.txt, exactly as WeCom names it`;
  }
  if (!VERIFY_CONTENT.test(content)) {
    return `${where}: the content must be the short token from WeCom's file (1-256 printable characters, no spaces)`;
  }
  return { name, content };
}
