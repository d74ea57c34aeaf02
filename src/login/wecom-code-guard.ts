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
 * Reserve first, call second: a unit of both budgets is taken atomically
 * (`Store.reserve`, all or nothing) before WeCom is called, and held while the code exchange
 * (getuserinfo) runs; the member's calls after it cannot be a made-up code's and hold nothing.
 * Counting after the call let parallel callbacks all pass a check of the same count: 40 at once
 * from one address made 40 WeCom calls against an allowance of 10. Now parallel callbacks get
 * exactly the calls sequential ones get.
 *
 * What a unit pays for is unchanged: the budgets count codes WeCom REJECTED, nothing else. So the
 * unit is kept (`Store.keep`) when WeCom rejects the code (a `restart` errcode: 40029, 42003,
 * 42022, 41008) and given back (`Store.release`) for every other outcome: a valid code (an
 * office where many people sign in must not run out of allowance; whatever the policy then
 * decides), WeCom busy, a transport failure. A unit whose release fails (store down) stays spent until its window ends: the
 * guard errs on the strict side.
 *
 * Held is not spent: while its exchange runs, a unit is held under a lease of its own, and a
 * refusal says whether spent units fill the budget or units held by callbacks in flight do. Spent:
 * the 429 page at once (an attacker who spent the allowance costs no wait and no extra store
 * round trip). Held only (more sign-ins from one NAT address at the same instant than the
 * allowance, an office's morning): the callback waits for those to settle, woken when one settles
 * in this process, polling otherwise, and tries again, for at most 3 s (budget-wait.ts); only
 * then the 429. A crashed replica's held units turn spent when their lease (30 s) ends: they make
 * callbacks wait no longer than that, and count as rejected codes until their window ends.
 *
 * Whether the address is known is read in the callback's first store round trip (beside the
 * login's "used" mark). The reservation is a second round trip (more while it waits) and its
 * release or keep a third, made only by a callback that really calls WeCom (a repeated hit or a
 * cancelled login makes neither): the price of counting atomically. A success marks its address
 * as known in the session's write.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { addressKey } from '../http/client-address.js';
import { type BudgetCounter, type StoreWrite, storeKey, UNCAPPED } from '../store/store.js';
import { WeComApiError } from '../wecom/errors.js';
import { reserveOrWait, UnitWaiters } from './budget-wait.js';

const HOUR_SECONDS = 3600;
const KNOWN_ADDRESS_SECONDS = 24 * 3600;
/** How long a unit counts as held when nobody settles it (its replica died): far above a WeCom exchange. */
const HOLD_SECONDS = 30;

/** What the store said about the callback's address before WeCom is called. */
export interface CodeGuard {
  readonly address: string;
  readonly knownAddress: boolean;
}

/** The units a callback holds while it calls WeCom (none when it does not call), and its hold's id. */
export interface CodeReservation {
  readonly keys: readonly string[];
  readonly holdId: string;
}

/** The reservation of a callback that never reaches WeCom (no code: the member cancelled). */
export const NOTHING_RESERVED: CodeReservation = { keys: [], holdId: '' };

/** Reads whether the callback's address is known (a login succeeded from it in the last day). */
export async function readCodeGuard(request: FastifyRequest, context: BridgeContext): Promise<CodeGuard> {
  const address = addressKey(request);
  return { address, knownAddress: (await context.store.get(knownAddressKey(address))) !== undefined };
}

/**
 * Reserves one unit of the address's allowance and of the hour's budget for one WeCom call,
 * waiting a little while only units held by callbacks in flight fill either.
 * @throws a 429 page error (with Retry-After) when either is spent, or still held after the wait:
 * this callback must not reach WeCom.
 */
export async function reserveWeComCall(
  guard: CodeGuard,
  context: BridgeContext,
  reply: FastifyReply,
): Promise<CodeReservation> {
  const counters = budgetCounters(guard, context);
  const hold = { id: randomBytes(12).toString('base64url'), seconds: HOLD_SECONDS };
  const result = await reserveOrWait(context.store, waitersOf(context), counters, hold);
  if (result.allowed) return { keys: counters.map((counter) => counter.key), holdId: hold.id };
  const { retryAfterSeconds } = result;
  if (result.index === 0) {
    throw refused(
      reply,
      counters[0]!.max,
      retryAfterSeconds,
      'rate_limited',
      'Too many sign-ins from this address ended with a code WeCom rejected',
    );
  }
  throw refused(
    reply,
    counters[1]!.max,
    retryAfterSeconds,
    'wecom_code_failures_hour',
    "WeCom rejected too many codes this hour; sign-ins from new networks wait to keep the server off WeCom's block list",
  );
}

/**
 * Runs the WeCom exchange of a code under `reservation`: when WeCom rejects the code the units
 * stay spent; any other outcome, success included, gives them back.
 */
export async function underReservation<T>(
  reservation: CodeReservation,
  context: BridgeContext,
  call: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (error) {
    await settle(reservation, context, isRejectedCode(error) ? 'keep' : 'release');
    throw error;
  }
  await settle(reservation, context, 'release');
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
  const perHour =
    limits.weComCodeFailuresPerHour > 0 && !guard.knownAddress ? limits.weComCodeFailuresPerHour : UNCAPPED;
  return [
    {
      key: addressFailuresKey(guard.address),
      max: limits.weComCodeFailuresPerIp > 0 ? limits.weComCodeFailuresPerIp : UNCAPPED,
      windowSeconds: limits.windowSeconds,
    },
    { key: HOUR_FAILURES_KEY, max: perHour, windowSeconds: HOUR_SECONDS },
  ];
}

/**
 * Ends the reservation's hold: its units stay spent (`keep`) or come back (`release`); either way
 * a callback of this process waiting on them tries again. A failure leaves the units held until
 * the lease ends, then spent until their windows end: the strict side.
 */
async function settle(reservation: CodeReservation, context: BridgeContext, how: 'keep' | 'release'): Promise<void> {
  if (reservation.keys.length === 0) return;
  await context.store[how](reservation.keys, reservation.holdId).catch(() => {});
  waitersOf(context).wake(reservation.keys);
}

/** The waiters of each bridge (one per process; tests run several). */
const waitersByContext = new WeakMap<BridgeContext, UnitWaiters>();

function waitersOf(context: BridgeContext): UnitWaiters {
  let waiters = waitersByContext.get(context);
  if (!waiters) {
    waiters = new UnitWaiters();
    waitersByContext.set(context, waiters);
  }
  return waiters;
}

const HOUR_FAILURES_KEY = storeKey('rate-limit', 'wecom-code-failed:hour');

function addressFailuresKey(address: string): string {
  return storeKey('rate-limit', `wecom-code-failed:ip:${address}`);
}

function knownAddressKey(address: string): string {
  return storeKey('known-address', address);
}

function refused(
  reply: FastifyReply,
  limit: number,
  retryAfterSeconds: number,
  reason: string,
  description: string,
): BridgeError {
  reply
    .header('retry-after', String(retryAfterSeconds))
    .header('x-ratelimit-limit', String(limit))
    .header('x-ratelimit-remaining', '0');
  return new BridgeError({ code: 'temporarily_unavailable', status: 429, reason, description });
}
