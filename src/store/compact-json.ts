/**
 * JSON at one byte per character, for the memory store's entries.
 *
 * V8 keeps a whole string at two bytes per character as soon as one character is above U+00FF,
 * so a session, code or token record carrying a member's Chinese name would take twice the
 * memory. Those few characters are written as `\uXXXX` escapes instead; JSON.parse reads them
 * back unchanged.
 */

/** Characters V8 cannot keep in a one-byte string. */
const WIDE_CHARS = /[\u0100-\uffff]/g;

/** `JSON.stringify(value)`, with every character above U+00FF escaped (see the module's header). */
export function compactJson(value: unknown): string {
  const json = JSON.stringify(value);
  // One scan: without a match, replace() returns the very same string.
  const escaped = json.replace(WIDE_CHARS, escapeWide);
  // replace() keeps the two-byte representation; a Latin-1 round trip makes a one-byte copy.
  return escaped === json ? json : Buffer.from(escaped, 'latin1').toString('latin1');
}

function escapeWide(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
