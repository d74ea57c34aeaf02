/**
 * Reading OAuth parameters from a query or a form body.
 *
 * RFC 6749 §3.1: parameters sent without a value are treated as absent, and request parameters
 * must not be included more than once. fastify turns a repeated key into an array; that is an
 * `invalid_request` here, never "take the first" (which would let a second value smuggle past
 * validation).
 *
 * Keys that only make sense to a nesting parser (`a[b]=c`) or that name object internals
 * (`__proto__`, `constructor`, `prototype`) are refused outright: our parsers keep them as plain
 * keys, but a request carrying them is probing for a prototype-pollution or parser-confusion bug.
 */
import { invalidRequest } from '../errors/bridge-error.js';

/** Longest value accepted for one parameter unless a parameter has its own limit. */
export const DEFAULT_PARAM_LIMIT = 2048;

/** Per-parameter limits other than the default (NocoBase's state is long and percent-encoded). */
const LIMITS: Readonly<Record<string, number>> = {
  // The login travels sealed in a cookie (at most ~4 KB): state and nonce are what it carries.
  state: 2048,
  nonce: 512,
  id_token_hint: 8192,
  claims: 4096,
  request: 8192,
  // The sealed sign-out confirmation: a registered URI, a state of at most 512 characters, a few
  // language tags (logout-confirmation.ts).
  logout_confirm: 8192,
};

/** Raw parameters as fastify parsed them. */
export type RawParams = Readonly<Record<string, unknown>> | undefined | null;

/**
 * Reads one parameter.
 * @returns the value, or undefined when absent or empty.
 * @throws invalid_request when repeated, not text, or too long.
 */
export function readParam(raw: RawParams, name: string): string | undefined {
  if (!raw || !Object.hasOwn(raw, name)) return undefined;
  const value = raw[name];
  if (Array.isArray(value)) throw invalidRequest(`The ${name} parameter is repeated`, 'duplicate_parameter');
  if (typeof value !== 'string') throw invalidRequest(`The ${name} parameter is malformed`, 'malformed_parameter');
  if (value === '') return undefined;
  const limit = LIMITS[name] ?? DEFAULT_PARAM_LIMIT;
  if (value.length > limit)
    throw invalidRequest(`The ${name} parameter is longer than ${limit} characters`, 'parameter_too_long');
  return value;
}

/** Reads several parameters at once (see {@link readParam}). */
export function readParams<const K extends string>(raw: RawParams, names: readonly K[]): Record<K, string | undefined> {
  const result = {} as Record<K, string | undefined>;
  for (const name of names) result[name] = readParam(raw, name);
  return result;
}

const HOSTILE_KEY = /[[\]]|^(?:__proto__|constructor|prototype)$/;

/** @throws invalid_request when a key is hostile (see the module comment). */
export function assertPlainKeys(raw: RawParams): void {
  if (!raw) return;
  if (Object.keys(raw).some((key) => HOSTILE_KEY.test(key))) {
    throw invalidRequest('The request has a malformed parameter name', 'malformed_parameter');
  }
}

/**
 * The parameters of an endpoint accepting GET and POST (/authorize, /logout): the query for GET,
 * the form body for POST (OIDC Core §3.1.2.1).
 * @throws invalid_request when a parameter name is hostile.
 */
export function requestParams(query: unknown, body: unknown, method: string): RawParams {
  const source = method === 'POST' ? body : query;
  const raw = typeof source === 'object' && source !== null ? (source as Record<string, unknown>) : undefined;
  assertPlainKeys(raw);
  return raw;
}
