/**
 * Redaction of log lines: the second line of defence after "log route templates, never URLs".
 *
 * Every value whose key names a secret (`code`, `state`, `cookie`, `access_token`, …) is replaced
 * by `[redacted]`, at any depth, in the logged object and in a child logger's bindings; errors are
 * serialized first (pino's own error serializer) so that their properties are covered too.
 *
 * Why not pino's `redact` option: it matches fixed paths (a key one level deeper than its `*.x`
 * patterns escapes it), and its implementation re-parses every path on every call, a large share of
 * the bridge's allocation under load; a walk over the few keys of a log line costs next to nothing.
 */
import { stdSerializers } from 'pino';

/** What a redacted value is replaced with. */
export const CENSOR = '[redacted]';

/** Keys (compared in lower case) whose values never reach the log. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'code',
  'state',
  'nonce',
  'user_ticket',
  'client_secret',
  'clientsecret',
  'secret',
  'corpsecret',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  // URLs carry codes, states and tokens in their queries; the request line logs the path only.
  'url',
]);

/** Deeper than this, a value is replaced whole (log objects are small; this bounds cycles). */
const MAX_DEPTH = 8;

/**
 * A copy of `value` with every secret-named key's value replaced by {@link CENSOR}. Objects without
 * secrets are returned as they are (no copy); the input is never modified.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, 0) as T;
}

function redactValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return CENSOR;
  if (value instanceof Error) return redactObject(stdSerializers.err(value), depth);
  if (Array.isArray(value)) return redactArray(value, depth);
  return redactObject(value as Record<string, unknown>, depth);
}

function redactArray(items: readonly unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const redacted = redactValue(items[i], depth + 1);
    if (redacted !== items[i]) (copy ??= [...items])[i] = redacted;
  }
  return copy ?? (items as unknown[]);
}

function redactObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const original = object[key];
    const redacted = SECRET_KEYS.has(key.toLowerCase()) ? CENSOR : redactValue(original, depth + 1);
    if (redacted !== original) (copy ??= { ...object })[key] = redacted;
  }
  return copy ?? object;
}
