/**
 * The zod schema of the environment, variable by variable.
 *
 * Input is the raw environment (strings) after `.env` merging and `*_FILE` resolution; output is
 * typed but not yet shaped into {@link Config}. Cross-variable rules live in `load.ts`.
 */
import { z } from 'zod';
import { baseUrlProblem } from './urls.js';

/** An optional string where empty means unset (as in shells and `.env` files). */
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** A required, non-empty string. */
const requiredText = (what: string) =>
  z
    .string({ error: `required (${what})` })
    .transform((value) => value.trim())
    .refine((value) => value !== '', { error: `required (${what}); it is set but empty` });

/** A lifetime in whole seconds within [min, max]. */
const seconds = (fallback: number, min: number, max: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, { error: 'must be a whole number of seconds' })
      .transform(Number)
      .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }))
      .optional()
      .transform((value) => value ?? fallback),
  );

/** A request count per window; 0 switches that limit off. */
const count = (fallback: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, { error: 'must be a whole number (0 = no limit)' })
      .transform(Number)
      .pipe(z.number().max(1_000_000, { error: 'must be at most 1000000' }))
      .optional()
      .transform((value) => value ?? fallback),
  );

/** A boolean written as true/false, 1/0, yes/no, on/off (never `z.coerce.boolean()`, where "false" is true). */
const flag = (fallback: boolean) =>
  optionalText.pipe(
    z
      .stringbool({ error: 'must be true or false' })
      .optional()
      .transform((value) => value ?? fallback),
  );

const baseUrl = (fallback: string) =>
  optionalText.transform((value, ctx) => {
    const url = (value ?? fallback).replace(/\/+$/, '');
    const problem = baseUrlProblem(url);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    return url;
  });

/** A comma-separated list; empty items are dropped. */
const list = optionalText.transform((value) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean));

/** WeCom userids: 1-64 of letters, digits and `_-@.` (WeCom's rule). */
const userids = list.superRefine((items, ctx) => {
  const bad = items.filter((item) => !/^[A-Za-z0-9_@.-]{1,64}$/.test(item));
  if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `not WeCom userids (1-64 letters, digits, _ - @ .): ${bad.join(', ')}` });
});

/** Department ids: positive whole numbers. */
const departmentIds = list.transform((items, ctx) => {
  const bad = items.filter((item) => !/^[1-9]\d{0,9}$/.test(item));
  if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `not department ids (positive whole numbers): ${bad.join(', ')}` });
  return items.map(Number);
});

/** Claims REQUIRE_CLAIMS can enforce. */
const requiredClaims = list.superRefine((items, ctx) => {
  const bad = items.filter((item) => item !== 'phone_number' && item !== 'email');
  if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `only phone_number and email can be required; not understood: ${bad.join(', ')}` });
});

/** `{userid}@domain`: the placeholder once, one `@`, a domain with a dot. */
const emailTemplate = optionalText.superRefine((value, ctx) => {
  if (value === undefined) return;
  const sample = value.replace('{userid}', 'userid');
  if (!value.includes('{userid}') || !/^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(sample)) {
    ctx.addIssue({ code: 'custom', message: 'must contain {userid} and give an email address, e.g. {userid}@corp.example.com' });
  }
});
/** An outbound proxy URL (`http://host:port`, optionally with credentials). */
const proxyUrl = optionalText.pipe(
  z
    .string()
    .regex(/^https?:\/\/[^\s/]+/, { error: 'must be a proxy URL such as http://proxy.internal:3128' })
    .optional(),
);

/**
 * Why `TRUST_PROXY=true` is refused, and the safe forms instead. `true` believes the left-most
 * X-Forwarded-For entry, which the client writes itself behind nginx's usual
 * `$proxy_add_x_forwarded_for` (it appends to what arrived): anyone could pick the address the
 * per-address limits count (issue 27).
 */
export const TRUST_PROXY_TRUE_REFUSED =
  'true (trust every hop) is refused: it believes the left-most X-Forwarded-For entry, which the client writes itself behind a proxy that appends ' +
  '(nginx: $proxy_add_x_forwarded_for), so anyone could pick the address the rate limits count. Set a hop count (e.g. 1 for one proxy in front; ' +
  'also the equivalent of true behind a proxy that overwrites the header), or the comma-separated addresses/CIDRs of your proxies (e.g. 10.0.0.2 or 172.16.0.0/12)';

/** `TRUST_PROXY`: false, a hop count, or a list of addresses/CIDRs; `true` is refused. */
const trustProxy = optionalText.transform((value, ctx): false | number | string[] => {
  if (value === undefined) return false;
  const word = value.toLowerCase();
  if (['true', 'yes', 'on'].includes(word)) {
    ctx.addIssue({ code: 'custom', message: TRUST_PROXY_TRUE_REFUSED });
    return false;
  }
  if (['false', 'no', 'off'].includes(word)) return false;
  // A bare number is a hop count ("1" = one proxy in front), as in fastify's trustProxy.
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.filter((entry) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry));
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `must be false, a hop count or addresses/CIDRs of your proxies; not understood: ${bad.join(', ')}` });
  }
  return entries;
});

/** `host:port` of a listener (`[::1]:9464` for IPv6), or `off` (undefined). */
const listenAddress = (fallback: string) =>
  optionalText.transform((value, ctx): { host: string; port: number } | undefined => {
    const text = value ?? fallback;
    if (text.toLowerCase() === 'off') return undefined;
    const match = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
    if (!match || Number(match[2]) > 65535) {
      ctx.addIssue({ code: 'custom', message: 'must be host:port (e.g. 127.0.0.1:9464, 0.0.0.0:9464, [::1]:9464) or off' });
      return undefined;
    }
    return { host: match[1]!, port: Number(match[2]) };
  });

/** A bearer token a scraper must send: long enough not to be guessed. */
const bearerToken = optionalText.superRefine((value, ctx) => {
  if (value !== undefined && value.length < 16) ctx.addIssue({ code: 'custom', message: 'must be at least 16 characters (e.g. openssl rand -base64 32)' });
});

/** The environment schema. Keys are the variable names, so zod's issue paths name the variable. */
export const envSchema = z.object({
  PUBLIC_URL: requiredText('the external base URL of the bridge, e.g. https://sso.example.com'),
  HOST: optionalText.transform((value) => value ?? '0.0.0.0'),
  PORT: optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, { error: 'must be a port number' })
      .transform(Number)
      .pipe(z.number().min(0).max(65535, { error: 'must be at most 65535' }))
      .optional()
      .transform((value) => value ?? 8080),
  ),
  METRICS_ADDRESS: listenAddress('127.0.0.1:9464'),
  METRICS_TOKEN: bearerToken,
  REQUEST_TIMEOUT: seconds(15, 2, 300),
  MAX_CONNECTIONS: count(4096),
  WECOM_CORP_ID: requiredText('the corp ID, 企业ID').pipe(
    z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be the corp ID as shown in the admin console (letters and digits)' }),
  ),
  WECOM_AGENT_ID: requiredText('the AgentId of the self-built app').pipe(
    z.string().regex(/^\d{1,12}$/, { error: 'must be the numeric AgentId of the self-built app' }),
  ),
  WECOM_SECRET: requiredText('the app secret; or set WECOM_SECRET_FILE'),
  WECOM_API_BASE: baseUrl('https://qyapi.weixin.qq.com'),
  WECOM_OAUTH_BASE: baseUrl('https://open.weixin.qq.com'),
  WECOM_SSO_BASE: baseUrl('https://login.work.weixin.qq.com'),
  WECOM_SCOPE: optionalText.pipe(
    z.enum(['snsapi_base', 'snsapi_privateinfo'], { error: 'must be snsapi_privateinfo or snsapi_base' }).optional(),
  ),
  WECOM_LOGIN_MODE: optionalText.pipe(z.enum(['auto', 'oauth', 'qr'], { error: 'must be auto, oauth or qr' }).optional()),
  // Parsed (and files read) by domain-verify.ts from load.ts: reading files is the loader's job.
  WECOM_DOMAIN_VERIFY_FILE: optionalText,
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_REDIRECT_URIS: optionalText,
  OIDC_POST_LOGOUT_REDIRECT_URIS: optionalText,
  OIDC_CLIENTS: optionalText,
  SIGNING_KEY: optionalText,
  SIGNING_ALG: optionalText.pipe(
    z.enum(['RS256', 'PS256', 'ES256', 'EdDSA'], { error: 'must be RS256, PS256, ES256 or EdDSA' }).optional(),
  ),
  DATA_DIR: optionalText.transform((value) => value ?? './data'),
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, { error: 'must start with redis:// or rediss://' })
      .optional(),
  ),
  REDIS_KEY_PREFIX: optionalText.transform((value) => value ?? 'wecom-oidc:'),
  TRUST_PROXY: trustProxy,
  HTTP_PROXY: proxyUrl,
  HTTPS_PROXY: proxyUrl,
  NO_PROXY: optionalText,
  LOG_LEVEL: optionalText.pipe(
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .optional(),
  ),
  CODE_TTL: seconds(60, 10, 600),
  ACCESS_TOKEN_TTL: seconds(600, 60, 86_400),
  ID_TOKEN_TTL: seconds(3600, 60, 86_400),
  REFRESH_TOKEN_TTL: seconds(1_209_600, 60, 31_536_000),
  SESSION_TTL: seconds(28_800, 0, 2_592_000),
  LOGIN_TTL: seconds(600, 60, 3600),
  RATE_LIMIT_WINDOW: seconds(60, 1, 3600),
  RATE_LIMIT_AUTHORIZE_PER_IP: count(300),
  RATE_LIMIT_TOKEN_PER_IP: count(1200),
  RATE_LIMIT_TOKEN_PER_CLIENT: count(6000),
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP: count(20),
  RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT: count(100),
  RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP: count(10),
  RATE_LIMIT_WECOM_CODE_FAILURES_PER_HOUR: count(1000),
  RATE_LIMIT_LOGOUT_PER_IP: count(300),
  ALLOW_INSECURE_HTTP: flag(false),
  WECOM_ALLOWED_USERS: userids,
  WECOM_ALLOWED_DEPARTMENTS: departmentIds,
  DEPARTMENT_CACHE_TTL: seconds(600, 10, 86_400),
  OIDC_INITIATE_LOGIN_URI: optionalText,
  SUB_FORMAT: optionalText.pipe(z.enum(['userid', 'corpid:userid'], { error: 'must be userid or corpid:userid' }).optional()),
  USERNAME_FROM: optionalText.pipe(
    z.enum(['userid', 'mobile', 'email_local_part'], { error: 'must be userid, mobile or email_local_part' }).optional(),
  ),
  EMAIL_FALLBACK_TEMPLATE: emailTemplate,
  GROUP_NAMES: flag(false),
  REQUIRE_CLAIMS: requiredClaims,
  PROFILE_TTL: seconds(7_776_000, 0, 31_536_000),
  HANDOFF_TTL: seconds(300, 60, 900),
});

/** The parsed environment. */
export type ParsedEnv = z.output<typeof envSchema>;
