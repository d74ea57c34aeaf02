/**
 * Keeps outsiders from spending the company's WeCom API quota through the callback.
 *
 * Anyone can start a login and then call `/wecom/callback` with a made-up `code`: each such
 * callback costs one auth/getuserinfo call that WeCom rejects (40029…). WeCom allows each API
 * 10,000 calls a minute per corp and blocks the egress IP for an hour after repeated errors
 * (~2,000 an hour seen: shared/notes/wecom-api.md §4), which would stop every login. So:
 *
 * - per address: at most RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP rejected codes in a window; past
 *   that the address gets the error page without a WeCom call until the window ends;
 * - for the whole bridge: at most RATE_LIMIT_WECOM_CODE_FAILURES_PER_HOUR rejected codes in an
 *   hour (an attack spread over many addresses); past that only addresses a login succeeded from
 *   in the last day still reach WeCom until the hour ends (their rejected codes still count);
 *   sign-ins from new networks wait. That keeps the errors below WeCom's ban while the offices
 *   people sign in from keep working.
 *
 * Reserve first, call second (issue 27): a unit of both budgets is taken atomically
 * (`Store.reserve`, all or nothing) before WeCom is called, and held while the call runs.
 * Counting after the call let parallel callbacks all pass a check of the same count: 40 at once
 * from one address made 40 WeCom calls against an allowance of 10. Now parallel callbacks get
 * exactly the calls sequential ones get.
 *
 * What a unit pays for is unchanged: the budgets count codes WeCom REJECTED, nothing else. So the
 * unit is kept when WeCom rejects the code (a `restart` errcode: 40029, 42003, 42022, 41008) and
 * given back (`Store.release`) for every other outcome: a successful login (an office where many
 * people sign in must not run out of allowance), WeCom busy, a member the policy refuses. The one
 * new cost: while its calls run, an address holds a unit per callback in flight, so callbacks
 * from one address beyond the allowance at the same instant (more than 10 sign-ins within the
 * fraction of a second a WeCom exchange takes, with the defaults) get the 429 page. A unit whose release fails (store down) stays
 * spent until its window ends: the guard errs on the strict side.
 *
 * Whether the address is known is read in the callback's first store round trip (beside the
 * login's "used" mark). The reservation is a second round trip and its release a third, made only
 * by a callback that really calls WeCom (a repeated hit or a cancelled login makes neither): the
 * price of counting atomically. A success marks its address as known in the session's write.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { addressKey } from '../http/client-address.js';
import { storeKey, UNCAPPED, type BudgetCounter, type StoreWrite } from '../store/store.js';
import { WeComApiError } from '../wecom/errors.js';

const HOUR_SECONDS = 3600;
const KNOWN_ADDRESS_SECONDS = 24 * 3600;

/** What the store said about the callback's address before WeCom is called. */
export interface CodeGuard {
  readonly address: string;
  readonly knownAddress: boolean;
}

/** The units a callback holds while it calls WeCom (none when it does not call). */
export interface CodeReservation {
  readonly keys: readonly string[];
}

/** The reservation of a callback that never reaches WeCom (no code: the member cancelled). */
export const NOTHING_RESERVED: CodeReservation = { keys: [] };

/** Reads whether the callback's address is known (a login succeeded from it in the last day). */
export async function readCodeGuard(request: FastifyRequest, context: BridgeContext): Promise<CodeGuard> {
  const address = addressKey(request);
  return { address, knownAddress: (await context.store.get(knownAddressKey(address))) !== undefined };
}

/**
 * Reserves one unit of the address's allowance and of the hour's budget for one WeCom call.
 * @throws a 429 page error (with Retry-After) when either is spent: this callback must not reach WeCom.
 */
export async function reserveWeComCall(guard: CodeGuard, context: BridgeContext, reply: FastifyReply): Promise<CodeReservation> {
  const counters = budgetCounters(guard, context);
  const result = await context.store.reserve(counters);
  if (result.allowed) return { keys: counters.map((counter) => counter.key) };
  const { retryAfterSeconds } = result;
  if (result.index === 0) {
    throw refused(reply, counters[0]!.max, retryAfterSeconds, 'rate_limited', 'Too many sign-ins from this address ended with a code WeCom rejected');
  }
  throw refused(reply, counters[1]!.max, retryAfterSeconds, 'wecom_code_failures_hour', 'WeCom rejected too many codes this hour; sign-ins from new networks wait to keep the server off WeCom\'s block list');
}

/**
 * Runs the WeCom exchange of a code under `reservation`: when WeCom rejects the code the units
 * stay spent; any other outcome, success included, gives them back.
 */
export async function underReservation<T>(reservation: CodeReservation, context: BridgeContext, call: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (error) {
    if (!isRejectedCode(error)) await giveBack(reservation, context);
    throw error;
  }
  await giveBack(reservation, context);
  return result;
}

/** Whether WeCom rejected the code itself (made up, expired, used): what the budgets count. */
export function isRejectedCode(error: unknown): error is WeComApiError {
  return error instanceof WeComApiError && error.action === 'restart';
}

/** The write that marks the address of a successful login as known for a day. */
export function knownAddressWrite(guard: CodeGuard): StoreWrite {
  return { key: knownAddressKey(guard.address), value: 1, ttlSeconds: KNOWN_ADDRESS_SECONDS };
}

/**
 * The address's allowance first (so its Retry-After is the one shown to a single noisy address),
 * then the hour's budget, which a known address may exceed but still counts against. A limit of
 * 0 is off: that counter only counts.
 */
function budgetCounters(guard: CodeGuard, context: BridgeContext): BudgetCounter[] {
  const limits = context.config.rateLimit;
  const perHour = limits.weComCodeFailuresPerHour > 0 && !guard.knownAddress ? limits.weComCodeFailuresPerHour : UNCAPPED;
  return [
    { key: addressFailuresKey(guard.address), max: limits.weComCodeFailuresPerIp > 0 ? limits.weComCodeFailuresPerIp : UNCAPPED, windowSeconds: limits.windowSeconds },
    { key: HOUR_FAILURES_KEY, max: perHour, windowSeconds: HOUR_SECONDS },
  ];
}

/** Releases the units; a failure only leaves them spent until their windows end (the strict side). */
async function giveBack(reservation: CodeReservation, context: BridgeContext): Promise<void> {
  await context.store.release(reservation.keys).catch(() => {});
}

const HOUR_FAILURES_KEY = storeKey('rate-limit', 'wecom-code-failed:hour');

function addressFailuresKey(address: string): string {
  return storeKey('rate-limit', `wecom-code-failed:ip:${address}`);
}

function knownAddressKey(address: string): string {
  return storeKey('known-address', address);
}

function refused(reply: FastifyReply, limit: number, retryAfterSeconds: number, reason: string, description: string): BridgeError {
  reply.header('retry-after', String(retryAfterSeconds)).header('x-ratelimit-limit', String(limit)).header('x-ratelimit-remaining', '0');
  return new BridgeError({ code: 'temporarily_unavailable', status: 429, reason, description });
}
