/**
 * A WeCom callback hit twice by the same browser (the WeCom client prefetching, a double
 * redirect: it happens, see wecom-api.md §2.4) must neither mint a second code nor surface
 * WeCom's 40029 for the already-redeemed WeCom code. The first hit leaves a mark when it takes
 * the login; when it ends with a redirect to the relying party it stores that result, sealed
 * with a key derived from the browser's binding cookie (whose value the store never sees). A
 * repeated hit from the same browser waits for the first one and gets the very same redirect
 * (and session cookie); a hit from any other browser gets an error page and nothing else. The
 * result lasts 30 s, or until the relying party redeems the code it carries (code-grant.ts): a
 * used code is worth repeating to nobody.
 *
 * The callback keeps this record through one wrapper, {@link answerOnce}: its steps say how the
 * login ends ({@link Ending}), and the wrapper remembers or forgets the result before answering.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import type { BridgeContext } from '../context.js';
import { seal, unseal } from '../crypto/seal.js';
import { safeEqual, sha256 } from '../crypto/secrets.js';
import { BridgeError } from '../errors/bridge-error.js';
import { setSessionCookie } from '../http/cookies.js';
import type { StoreWrite } from '../store/store.js';
import { type CallbackResultRecord, stateKeys } from './records.js';

/** How long a finished callback can be repeated, seconds: "a few seconds" with margin. */
const RESULT_TTL_SECONDS = 30;
/** How long a repeated hit waits for the first one (which may still be talking to WeCom), ms. */
const WAIT_MS = 10_000;
const POLL_MS = 200;

/**
 * A callback's two secrets and their hashes, each hashed once per request: the WeCom `state`
 * (it names the login and the remembered result) and this browser's binding cookie.
 */
export interface CallbackIds {
  readonly stateHash: string;
  /** The binding cookie's value; undefined when the browser sent none (or a malformed one). */
  readonly binding: string | undefined;
  /** Its hash; '' without a cookie, which matches no stored hash. */
  readonly bindingHash: string;
}

/** {@link CallbackIds} of a browser that holds its binding cookie. */
export type BoundCallbackIds = CallbackIds & { readonly binding: string };

/** Hashes the callback's `state` and `binding` once for every key and check that needs them. */
export function callbackIds(state: string, binding: string | undefined): CallbackIds {
  return { stateHash: sha256(state), binding, bindingHash: binding === undefined ? '' : sha256(binding) };
}

/** What the first hit answered. */
export interface CallbackResult {
  /** The redirect to the relying party (with the code, or with an error). */
  readonly location: string;
  /** The session cookie the first hit set, so a browser that dropped that response gets it too. */
  readonly session?: { readonly value: string; readonly maxAge: number };
}

/** Store key of the result the first hit of this callback leaves. */
export function resultKey(ids: CallbackIds): string {
  return stateKeys.callbackResult(ids.stateHash);
}

/**
 * The mark saying that the login behind the state is being completed by this browser. The
 * callback creates it together with the login's "used" mark ({@link Store.claim}), so only the
 * first hit does: a late duplicate must not turn a finished result back into "pending".
 */
export function inFlightMark(ids: CallbackIds): StoreWrite {
  const record: CallbackResultRecord = { bindingHash: ids.bindingHash, status: 'pending' };
  return { key: resultKey(ids), value: record, ttlSeconds: RESULT_TTL_SECONDS };
}

/** The first hit's result, sealed for the browser holding the binding cookie, as a store write. */
export function resultWrite(context: BridgeContext, ids: BoundCallbackIds, result: CallbackResult): StoreWrite {
  const sealed = seal(ids.binding, sealContext(ids), JSON.stringify(result), context.now());
  const record: CallbackResultRecord = { bindingHash: ids.bindingHash, status: 'done', sealed };
  return { key: resultKey(ids), value: record, ttlSeconds: RESULT_TTL_SECONDS };
}

/**
 * How a callback that claimed its login ends: what a repeated hit by the same browser gets, and
 * the answer itself.
 */
export interface Ending {
  /**
   * The redirect to repeat; `saved` when it was already written with the session (resultWrite);
   * `nothing` for an answer given once (a page, a new WeCom leg, the phone's page).
   */
  readonly repeat: CallbackResult | 'saved' | 'nothing';
  /** Sends the answer, once the record is settled. */
  readonly answer: () => FastifyReply;
}

/**
 * Runs the claimed callback's steps and keeps the replay record: remembers the result to repeat,
 * or forgets the in-flight mark (an answer given once, or a failure thrown to the error page),
 * then answers.
 */
export async function answerOnce(
  context: BridgeContext,
  ids: BoundCallbackIds,
  steps: () => Promise<Ending>,
): Promise<FastifyReply> {
  try {
    const ending = await steps();
    if (ending.repeat === 'nothing') await forgetResult(context, ids);
    else if (ending.repeat !== 'saved') await rememberResult(context, ids, ending.repeat);
    return ending.answer();
  } catch (error) {
    await forgetResult(context, ids);
    throw error;
  }
}

async function rememberResult(context: BridgeContext, ids: BoundCallbackIds, result: CallbackResult): Promise<void> {
  const { key, value, ttlSeconds } = resultWrite(context, ids, result);
  await context.store.set(key, value, ttlSeconds);
}

async function forgetResult(context: BridgeContext, ids: CallbackIds): Promise<void> {
  await context.store.delete(resultKey(ids));
}

/**
 * Answers a hit whose login is already taken: the first hit's result for the same browser, after
 * waiting for it if needed. @throws a page-mode {@link BridgeError} otherwise.
 */
export async function replayResult(reply: FastifyReply, context: BridgeContext, ids: CallbackIds): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const record = await context.store.get<CallbackResultRecord>(resultKey(ids));
    if (!record)
      throw pageError('No pending sign-in matches this state (expired, finished or unknown)', 'login_not_found');
    if (ids.binding === undefined || !safeEqual(ids.bindingHash, record.bindingHash)) {
      throw pageError('This sign-in was started in another browser', 'browser_mismatch');
    }
    if (record.status === 'done' && record.sealed !== undefined)
      return openResult(reply, context, { ...ids, binding: ids.binding }, record.sealed);
    if (Date.now() >= deadline)
      throw pageError('This sign-in is still being completed in another tab', 'callback_in_progress');
    await sleep(POLL_MS);
  }
}

function openResult(reply: FastifyReply, context: BridgeContext, ids: BoundCallbackIds, sealed: string): string {
  const opened = unseal(ids.binding, sealContext(ids), sealed, context.now(), RESULT_TTL_SECONDS).plaintext;
  if (opened === undefined) throw pageError('This sign-in was started in another browser', 'browser_mismatch');
  const result = JSON.parse(opened) as CallbackResult;
  if (result.session) setSessionCookie(reply, context.cookies, result.session.value, result.session.maxAge);
  return result.location;
}

function sealContext(ids: CallbackIds): string {
  return `callback:${ids.stateHash}`;
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
