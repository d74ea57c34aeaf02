/**
 * Keeps outsiders from spending the company's WeCom API quota through the callback.
 *
 * Anyone can start a login and then call `/wecom/callback` with a made-up `code`: each such
 * callback costs one auth/getuserinfo call that WeCom rejects (40029…). WeCom allows each API
 * 10,000 calls a minute per corp and blocks the egress IP for an hour after repeated errors
 * (~2,000 an hour seen: shared/notes/wecom-api.md §4), which would stop every login. So:
 *
 * - per address: past RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP rejected codes in a window, the
 *   address gets the error page without a WeCom call until the window ends;
 * - for the whole bridge: past RATE_LIMIT_WECOM_CODE_FAILURES_PER_HOUR rejected codes in an hour
 *   (an attack spread over many addresses), only addresses a login succeeded from in the last
 *   day still reach WeCom until the hour ends; sign-ins from new networks wait. That keeps the
 *   errors below WeCom's ban while the offices people sign in from keep working.
 *
 * The counts are read in the callback's first store round trip (beside the login's "used"
 * mark), so a callback pays no extra latency; a success marks its address as known in the
 * session's write.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { addressKey } from '../http/client-address.js';
import { storeKey, UNCAPPED, type StoreWrite } from '../store/store.js';

const HOUR_SECONDS = 3600;
const KNOWN_ADDRESS_SECONDS = 24 * 3600;

/** What the store said about the callback's address before WeCom is called. */
export interface CodeGuard {
  readonly address: string;
  readonly addressFailures: number;
  readonly hourFailures: number;
  readonly knownAddress: boolean;
}

/** Reads the counts for the callback's address (one getMany). */
export async function readCodeGuard(request: FastifyRequest, context: BridgeContext): Promise<CodeGuard> {
  const address = addressKey(request);
  const [perAddress, perHour, known] = await context.store.getMany([addressFailuresKey(address), HOUR_FAILURES_KEY, knownAddressKey(address)]);
  return { address, addressFailures: Number(perAddress ?? 0), hourFailures: Number(perHour ?? 0), knownAddress: known !== undefined };
}

/** @throws a 429 page error (with Retry-After) when this callback must not reach WeCom. */
export function assertMayCallWeCom(guard: CodeGuard, context: BridgeContext, reply: FastifyReply): void {
  const limits = context.config.rateLimit;
  if (limits.weComCodeFailuresPerIp > 0 && guard.addressFailures >= limits.weComCodeFailuresPerIp) {
    throw refused(reply, limits.weComCodeFailuresPerIp, 'Too many sign-ins from this address ended with a code WeCom rejected', 'rate_limited', limits.windowSeconds);
  }
  if (limits.weComCodeFailuresPerHour > 0 && guard.hourFailures >= limits.weComCodeFailuresPerHour && !guard.knownAddress) {
    throw refused(reply, limits.weComCodeFailuresPerHour, 'WeCom rejected too many codes this hour; sign-ins from new networks wait to keep the server off WeCom\'s block list', 'wecom_code_failures_hour', HOUR_SECONDS);
  }
}

/** Counts a code WeCom rejected, for the address and for the hour. */
export async function countRejectedCode(guard: CodeGuard, context: BridgeContext): Promise<void> {
  await Promise.all([
    context.store.hit([{ key: addressFailuresKey(guard.address), max: UNCAPPED }], context.config.rateLimit.windowSeconds),
    context.store.hit([{ key: HOUR_FAILURES_KEY, max: UNCAPPED }], HOUR_SECONDS),
  ]);
}

/** The write that marks the address of a successful login as known for a day. */
export function knownAddressWrite(guard: CodeGuard): StoreWrite {
  return { key: knownAddressKey(guard.address), value: 1, ttlSeconds: KNOWN_ADDRESS_SECONDS };
}

const HOUR_FAILURES_KEY = storeKey('rate-limit', 'wecom-code-failed:hour');

function addressFailuresKey(address: string): string {
  return storeKey('rate-limit', `wecom-code-failed:ip:${address}`);
}

function knownAddressKey(address: string): string {
  return storeKey('known-address', address);
}

function refused(reply: FastifyReply, limit: number, description: string, reason: string, retryAfterSeconds: number): BridgeError {
  reply.header('retry-after', String(retryAfterSeconds)).header('x-ratelimit-limit', String(limit)).header('x-ratelimit-remaining', '0');
  return new BridgeError({ code: 'temporarily_unavailable', status: 429, reason, description });
}
