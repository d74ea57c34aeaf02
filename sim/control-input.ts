/**
 * Validation of the control API's JSON bodies. A typo in a test's fault or config request should
 * fail loudly (HTTP 400 naming the field), not be silently ignored.
 */
import type { MUTABLE_CONFIG_KEYS, SimConfigPatch } from './config.js';
import type { SimMember } from './directory.js';
import { FAULT_TARGETS, type SimFaultInput, type SimFaultTarget } from './faults.js';

/** A parsed body, or the reason it was refused. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

type Body = Readonly<Record<string, unknown>>;
type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isBoolean: Check = (v) => typeof v === 'boolean';
const isInteger: Check = (v) => Number.isInteger(v);
const isNonNegative: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isPositiveInteger: Check = (v) => Number.isInteger(v) && (v as number) > 0;
const isStringList: Check = (v) => Array.isArray(v) && v.every(isString);
const isIntegerList: Check = (v) => Array.isArray(v) && v.every(isInteger);
const oneOf =
  (...values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);

const FAULT_FIELDS: Readonly<Record<string, Check>> = {
  api: oneOf(...FAULT_TARGETS),
  errcode: isInteger,
  times: isPositiveInteger,
  hangMs: isNonNegative,
  status: (v) => Number.isInteger(v) && (v as number) >= 200 && (v as number) <= 599,
};

const CONFIG_FIELDS: Readonly<Record<(typeof MUTABLE_CONFIG_KEYS)[number], Check>> = {
  trustedDomains: isStringList,
  trustedIps: isStringList,
  appCreatedAfter2022: isBoolean,
  latencyMs: isNonNegative,
  tokenExpiresIn: isPositiveInteger,
  // null clears the default user (JSON has no undefined).
  defaultUser: (v) => v === null || isString(v),
  // null: no event server.
  eventTarget: (v) => v === null || isEventTarget(v),
};

/** `{ url, token, encodingAesKey }`: an http(s) URL, a Token, a 43-character EncodingAESKey. */
function isEventTarget(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { url, token, encodingAesKey, ...rest } = value as Record<string, unknown>;
  return (
    Object.keys(rest).length === 0 &&
    typeof url === 'string' &&
    /^https?:\/\/./.test(url) &&
    URL.canParse(url) &&
    typeof token === 'string' &&
    /^[A-Za-z0-9]{1,32}$/.test(token) &&
    typeof encodingAesKey === 'string' &&
    /^[A-Za-z0-9]{43}$/.test(encodingAesKey)
  );
}

const MEMBER_FIELDS: Readonly<Record<string, Check>> = {
  userid: isString,
  name: isString,
  alias: isString,
  mobile: isString,
  email: isString,
  biz_mail: isString,
  avatar: isString,
  position: isString,
  gender: oneOf('0', '1', '2'),
  department: isIntegerList,
  main_department: isInteger,
  status: oneOf(1, 2, 4, 5),
  visible: isBoolean,
  nonMember: isBoolean,
};

/** `POST /_sim/faults` body: `{ api, errcode?, times?, hangMs?, status? }`, with at least one effect. */
export function parseFault(body: unknown): Parsed<SimFaultInput> {
  const checked = checkFields(body, FAULT_FIELDS);
  if (!checked.ok) return checked;
  const fault = checked.value;
  if (fault.api === undefined) return refuse(`api is required: one of ${FAULT_TARGETS.join(', ')}`);
  if (fault.errcode === undefined && fault.hangMs === undefined && fault.status === undefined) {
    return refuse('a fault needs errcode, hangMs or status');
  }
  return { ok: true, value: { ...fault, api: fault.api as SimFaultTarget } as SimFaultInput };
}

/** `PUT /_sim/config` body: a partial of the mutable settings. */
export function parseConfigPatch(body: unknown): Parsed<SimConfigPatch> {
  const checked = checkFields(body, CONFIG_FIELDS);
  if (!checked.ok) return checked;
  const patch: Record<string, unknown> = { ...checked.value };
  if (patch.defaultUser === null) patch.defaultUser = undefined;
  if (patch.eventTarget === null) patch.eventTarget = undefined;
  return { ok: true, value: patch as SimConfigPatch };
}

/** `PUT /_sim/members/:userid` body: member fields to set (the path names the member). */
export function parseMemberPatch(body: unknown): Parsed<Partial<SimMember>> {
  const checked = checkFields(body ?? {}, MEMBER_FIELDS);
  if (!checked.ok) return checked;
  const { userid: _ignored, ...patch } = checked.value;
  return { ok: true, value: patch as Partial<SimMember> };
}

/** `POST /_sim/clock` body: `{ advanceSeconds }`, a non-negative number. */
export function parseAdvance(body: unknown): Parsed<number> {
  const seconds = (body as Body | undefined)?.advanceSeconds;
  return isNonNegative(seconds)
    ? { ok: true, value: seconds as number }
    : refuse('advanceSeconds must be a non-negative number');
}

/** The body as an object whose every key is known and passes its check. */
function checkFields(body: unknown, fields: Readonly<Record<string, Check>>): Parsed<Body> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse('a JSON object is required');
  for (const [key, value] of Object.entries(body)) {
    const check = fields[key];
    if (!check) return refuse(`unknown field ${key}; known: ${Object.keys(fields).join(', ')}`);
    if (!check(value)) return refuse(`invalid ${key}: ${JSON.stringify(value)}`);
  }
  return { ok: true, value: body as Body };
}

function refuse(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
