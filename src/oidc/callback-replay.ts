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
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import type { BridgeContext } from '../context.js';
import { safeEqual, sha256 } from '../crypto/secrets.js';
import { seal, unseal } from '../crypto/seal.js';
import { BridgeError } from '../errors/bridge-error.js';
import { setSessionCookie } from '../http/cookies.js';
import type { StoreWrite } from '../store/store.js';
import { keys, type CallbackResultRecord } from './records.js';

/** How long a finished callback can be repeated, seconds: "a few seconds" with margin. */
const RESULT_TTL_SECONDS = 30;
/** How long a repeated hit waits for the first one (which may still be talking to WeCom), ms. */
const WAIT_MS = 10_000;
const POLL_MS = 200;

/** What the first hit answered. */
export interface CallbackResult {
  /** The redirect to the relying party (with the code, or with an error). */
  readonly location: string;
  /** The session cookie the first hit set, so a browser that dropped that response gets it too. */
  readonly session?: { readonly value: string; readonly maxAge: number };
}

/**
 * The mark saying that the login behind `state` is being completed by the browser with
 * `bindingHash`. The callback creates it together with taking the login ({@link Store.takeIf}),
 * only if absent: a late duplicate must not turn a finished result back into "pending".
 */
export function inFlightMark(state: string, bindingHash: string): StoreWrite {
  const record: CallbackResultRecord = { bindingHash, status: 'pending' };
  return { key: keys.callbackResult(state), value: record, ttlSeconds: RESULT_TTL_SECONDS };
}

/** The first hit's result, sealed for the browser holding `binding`, as a store write. */
export function resultWrite(state: string, binding: string, result: CallbackResult): StoreWrite {
  const record: CallbackResultRecord = { bindingHash: sha256(binding), status: 'done', sealed: seal(binding, sealContext(state), JSON.stringify(result)) };
  return { key: keys.callbackResult(state), value: record, ttlSeconds: RESULT_TTL_SECONDS };
}

/** Stores the first hit's result, sealed for the browser holding `binding`. */
export async function rememberResult(context: BridgeContext, state: string, binding: string, result: CallbackResult): Promise<void> {
  const { key, value, ttlSeconds } = resultWrite(state, binding, result);
  await context.store.set(key, value, ttlSeconds);
}

/** The first hit ended without a redirect worth repeating (a page, a new WeCom leg). */
export async function forgetResult(context: BridgeContext, state: string): Promise<void> {
  await context.store.delete(keys.callbackResult(state));
}

/**
 * Answers a hit whose login is already taken: the first hit's result for the same browser, after
 * waiting for it if needed. @throws a page-mode {@link BridgeError} otherwise.
 */
export async function replayResult(reply: FastifyReply, context: BridgeContext, state: string, binding: string | undefined): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const record = await context.store.get<CallbackResultRecord>(keys.callbackResult(state));
    if (!record) throw pageError('No pending sign-in matches this state (expired, finished or unknown)', 'login_not_found');
    if (binding === undefined || !safeEqual(sha256(binding), record.bindingHash)) {
      throw pageError('This sign-in was started in another browser', 'browser_mismatch');
    }
    if (record.status === 'done' && record.sealed !== undefined) return openResult(reply, context, state, binding, record.sealed);
    if (Date.now() >= deadline) throw pageError('This sign-in is still being completed in another tab', 'callback_in_progress');
    await sleep(POLL_MS);
  }
}

function openResult(reply: FastifyReply, context: BridgeContext, state: string, binding: string, sealed: string): string {
  const opened = unseal(binding, sealContext(state), sealed);
  if (opened === undefined) throw pageError('This sign-in was started in another browser', 'browser_mismatch');
  const result = JSON.parse(opened) as CallbackResult;
  if (result.session) setSessionCookie(reply, context.cookies, result.session.value, result.session.maxAge);
  return result.location;
}

function sealContext(state: string): string {
  return `callback:${sha256(state)}`;
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
