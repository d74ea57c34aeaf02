/**
 * The few fields the event server reads from WeCom's XML, by a parser that knows nothing else.
 *
 * WeCom's callbacks are flat: `<xml><Name><![CDATA[value]]></Name><Other>123</Other></xml>`.
 * A general XML library would bring DTDs, entities and their expansion (billion laughs, external
 * entities) for nothing; here a document with a `<!DOCTYPE` or `<!ENTITY` is refused outright,
 * and a field is the text (or one CDATA section) between `<Name>` and `</Name>` at any depth,
 * first occurrence, with the five predefined entities and numeric references decoded and nothing
 * else.
 */

/** Refused as XML: declarations that could define entities. */
const DECLARATIONS = /<!DOCTYPE|<!ENTITY/i;

/** Whether `xml` may be read at all (no DTD, no entity declarations). */
export function isPlainXml(xml: string): boolean {
  return !DECLARATIONS.test(xml);
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * The text of the first `<name>` element, or undefined when absent or malformed. `name` must be a
 * plain element name (letters, digits, underscore).
 */
export function xmlField(xml: string, name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`not a plain element name: ${name}`);
  const open = `<${name}>`;
  const start = xml.indexOf(open);
  if (start === -1) return undefined;
  const from = start + open.length;
  const end = xml.indexOf(`</${name}>`, from);
  if (end === -1) return undefined;
  const inner = xml.slice(from, end).trim();
  const cdata = /^<!\[CDATA\[([\s\S]*?)\]\]>$/.exec(inner);
  if (cdata) return cdata[1];
  // Plain text only: nested elements or comments are not a field value.
  if (inner.includes('<')) return undefined;
  return decodeReferences(inner);
}

const REFERENCE = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g;

function decodeReferences(text: string): string | undefined {
  // A bare "&" (not a reference) is malformed XML.
  if (text.replace(REFERENCE, '').includes('&')) return undefined;
  let bad = false;
  const decoded = text.replace(REFERENCE, (_match, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref.startsWith('#x') ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (code > 0x10ffff) {
        bad = true;
        return '';
      }
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[ref];
    if (value === undefined) bad = true;
    return value ?? '';
  });
  return bad ? undefined : decoded;
}
