/**
 * Where a finished sign-in may send the browser: always a page of this NocoBase. The decision is
 * taken on the path as a browser will read it (WHATWG URL parsing: dot segments removed, `%2e`
 * read as a dot, tabs and newlines dropped, `\` read as `/`), because checking the raw text and
 * letting the URL parser normalise it afterwards is how `/..//evil.example` became
 * `//evil.example` (another site) with a NocoBase token attached.
 * Pure: no NocoBase imports.
 */

/** A base that only serves to resolve paths; never sent anywhere. */
const BASE = 'http://nocobase.invalid';

/** Longest `redirect` accepted (NocoBase's own paths are far shorter). */
const MAX_LENGTH = 2048;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it looks for.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * `candidate` as a normalised path of this site (`/admin/x?y#z`), else `fallback`: never a URL of
 * another site, never a path that a browser would read differently from how it was checked.
 * Refused outright (not repaired): anything not starting with one `/`, backslashes, control
 * characters, dot segments and doubled slashes (also percent-encoded), over-long values.
 */
export function safeRedirectPath(candidate: string | undefined, fallback: string): string {
  if (!candidate || candidate.length > MAX_LENGTH) return fallback;
  const url = checked(candidate);
  return url ? `${url.pathname}${url.search}${url.hash}` : fallback;
}

/**
 * Whether `location` (what goes into the `Location` header) stays on this NocoBase, under its
 * public path: the last check before a redirect that may carry a sign-in is sent.
 *
 * @param publicPath NocoBase's APP_PUBLIC_PATH with a trailing slash, e.g. `/` or `/nocobase/`
 */
export function isLocalLocation(location: string, publicPath: string): boolean {
  const url = checked(location);
  return url !== undefined && url.pathname === pathOf(location) && `${url.pathname}/`.startsWith(publicPath);
}

/**
 * `text` parsed, when its path is plain both as written and percent-decoded (so the URL parser
 * has nothing to remove or re-read) and it resolves on this site.
 */
function checked(text: string): URL | undefined {
  if (!text.startsWith('/') || text.includes('\\') || CONTROL.test(text)) return undefined;
  const path = pathOf(text);
  const decoded = decodedPath(path);
  if (decoded === undefined || !isPlainPath(path) || !isPlainPath(decoded)) return undefined;
  const url = parse(text);
  return url && url.origin === BASE ? url : undefined;
}

function pathOf(text: string): string {
  return text.split(/[?#]/, 1)[0]!;
}

/** No empty segment (`//`) and no dot segment (`.`, `..`) anywhere in `path`. */
function isPlainPath(path: string): boolean {
  if (!path.startsWith('/') || path.includes('\\') || CONTROL.test(path)) return false;
  return path
    .slice(1)
    .split('/')
    .every(
      (segment, index, all) => (segment !== '' || index === all.length - 1) && segment !== '.' && segment !== '..',
    );
}

function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

function parse(path: string): URL | undefined {
  try {
    return new URL(path, BASE);
  } catch {
    return undefined;
  }
}
