/**
 * The zod building blocks the variable declarations (`variables.ts`) parse their values with.
 *
 * A parser of a variable with a default receives the value as a string: the declaration applies
 * its default first (`schema.ts`), so the default is parsed like anything a user writes. A parser
 * of a variable without a default receives `undefined` when it is unset or empty.
 */
import { z } from 'zod';
import { baseUrlProblem } from './urls.js';

/** An optional string where empty means unset (as in shells and `.env` files). */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** Any text (for variables whose default makes them always present). */
export const text = z.string();

/** A required, non-empty string. */
export const requiredText = (what: string) =>
  z
    .string({ error: `required (${what})` })
    .transform((value) => value.trim())
    .refine((value) => value !== '', { error: `required (${what}); it is set but empty` });

/** A lifetime in whole seconds within [min, max]. */
export const seconds = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number of seconds' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

/** A request count per window; 0 switches that limit off. */
export const count = z
  .string()
  .regex(/^\d+$/, { error: 'must be a whole number (0 = no limit)' })
  .transform(Number)
  .pipe(z.number().max(1_000_000, { error: 'must be at most 1000000' }));

/** A TCP port. */
export const port = z
  .string()
  .regex(/^\d+$/, { error: 'must be a port number' })
  .transform(Number)
  .pipe(z.number().min(0).max(65535, { error: 'must be at most 65535' }));

/** A boolean written as true/false, 1/0, yes/no, on/off (never `z.coerce.boolean()`, where "false" is true). */
export const flag = z.stringbool({ error: 'must be true or false' });

/** One of `values`; `error` says which. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, error: string) =>
  z.enum(values, { error });

/** A base URL; trailing slashes dropped. */
export const baseUrl = z.string().transform((value, ctx) => {
  const url = value.replace(/\/+$/, '');
  const problem = baseUrlProblem(url);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
  return url;
});

/** A comma-separated list; empty items are dropped. */
const list = optionalText.transform((value) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** WeCom userids: 1-64 of letters, digits and `_-@.` (WeCom's rule). */
export const userids = list.superRefine((items, ctx) => {
  const bad = items.filter((item) => !/^[A-Za-z0-9_@.-]{1,64}$/.test(item));
  if (bad.length > 0)
    ctx.addIssue({ code: 'custom', message: `not WeCom userids (1-64 letters, digits, _ - @ .): ${bad.join(', ')}` });
});

/** Department ids: positive whole numbers. */
export const departmentIds = list.transform((items, ctx) => {
  const bad = items.filter((item) => !/^[1-9]\d{0,9}$/.test(item));
  if (bad.length > 0)
    ctx.addIssue({ code: 'custom', message: `not department ids (positive whole numbers): ${bad.join(', ')}` });
  return items.map(Number);
});

/** Claims REQUIRE_CLAIMS can enforce. */
export const requiredClaims = list.superRefine((items, ctx) => {
  const bad = items.filter((item) => item !== 'phone_number' && item !== 'email');
  if (bad.length > 0)
    ctx.addIssue({
      code: 'custom',
      message: `only phone_number and email can be required; not understood: ${bad.join(', ')}`,
    });
});

/** `{userid}@domain`: the placeholder once, one `@`, a domain with a dot. */
export const emailTemplate = optionalText.superRefine((value, ctx) => {
  if (value === undefined) return;
  const sample = value.replace('{userid}', 'userid');
  if (!value.includes('{userid}') || !/^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(sample)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must contain {userid} and give an email address, e.g. {userid}@corp.example.com',
    });
  }
});

/** An outbound proxy URL (`http://host:port`, optionally with credentials). */
export const proxyUrl = optionalText.pipe(
  z
    .string()
    .regex(/^https?:\/\/[^\s/]+/, { error: 'must be a proxy URL such as http://proxy.internal:3128' })
    .optional(),
);

/** A Redis URL. */
export const redisUrl = optionalText.pipe(
  z
    .string()
    .regex(/^rediss?:\/\//, { error: 'must start with redis:// or rediss://' })
    .optional(),
);

/**
 * Why `TRUST_PROXY=true` is refused, and the safe forms instead. `true` believes the left-most
 * X-Forwarded-For entry, which the client writes itself behind nginx's usual
 * `$proxy_add_x_forwarded_for` (it appends to what arrived): anyone could pick the address the
 * per-address limits count.
 */
export const TRUST_PROXY_TRUE_REFUSED =
  'true (trust every hop) is refused: it believes the left-most X-Forwarded-For entry, which the client writes itself behind a proxy that appends ' +
  '(nginx: $proxy_add_x_forwarded_for), so anyone could pick the address the rate limits count. Set a hop count (e.g. 1 for one proxy in front; ' +
  'also the equivalent of true behind a proxy that overwrites the header), or the comma-separated addresses/CIDRs of your proxies (e.g. 10.0.0.2 or 172.16.0.0/12)';

/** `TRUST_PROXY`: false, a hop count, or a list of addresses/CIDRs; `true` is refused. */
export const trustProxy = z.string().transform((value, ctx): false | number | string[] => {
  const word = value.toLowerCase();
  if (['true', 'yes', 'on'].includes(word)) {
    ctx.addIssue({ code: 'custom', message: TRUST_PROXY_TRUE_REFUSED });
    return false;
  }
  if (['false', 'no', 'off'].includes(word)) return false;
  // A bare number is a hop count ("1" = one proxy in front), as in fastify's trustProxy.
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be false, a hop count or addresses/CIDRs of your proxies; not understood: ${bad.join(', ')}`,
    });
  }
  return entries;
});

/** `host:port` of a listener (`[::1]:9464` for IPv6), or `off` (undefined). */
export const listenAddress = z.string().transform((value, ctx): { host: string; port: number } | undefined => {
  if (value.toLowerCase() === 'off') return undefined;
  const match = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(value) ?? /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65535) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be host:port (e.g. 127.0.0.1:9464, 0.0.0.0:9464, [::1]:9464) or off',
    });
    return undefined;
  }
  return { host: match[1]!, port: Number(match[2]) };
});

/** A bearer token a scraper must send: long enough not to be guessed. */
export const bearerToken = optionalText.superRefine((value, ctx) => {
  if (value !== undefined && value.length < 16)
    ctx.addIssue({ code: 'custom', message: 'must be at least 16 characters (e.g. openssl rand -base64 32)' });
});

/** An optional value that, when set, must match `pattern` (the message says what it must be). */
export const optionalMatching = (pattern: RegExp, message: string) =>
  optionalText.superRefine((value, ctx) => {
    if (value !== undefined && !pattern.test(value)) ctx.addIssue({ code: 'custom', message });
  });
