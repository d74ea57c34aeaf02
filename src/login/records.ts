/**
 * What the browser login keeps: the login transaction (sealed in the browser, login-cookie.ts)
 * and, in the store, the records a WeCom `state` names: the login's "used" mark and the first
 * callback's result for a repeated hit (callback-replay.ts).
 */

import type { AuthRequest } from '../oidc/records.js';
import { storeKey } from '../store/store.js';
import type { WeComLeg } from '../wecom/login-url.js';

/** A login waiting for WeCom's callback, sealed in a cookie named after its WeCom `state` (login-cookie.ts). */
export interface LoginTransaction {
  readonly request: AuthRequest;
  /** Hash of the browser-binding cookie: the callback must come from the same browser. */
  readonly bindingHash: string;
  readonly leg: WeComLeg;
  /** How many WeCom legs this login has started (a dead WeCom code restarts it once). */
  readonly attempt: number;
  readonly createdAt: number;
  /**
   * Set on the phone's leg of a QR hand-off: the hash of the desktop login's hand-off handle.
   * The callback then completes that hand-off instead of answering a relying party.
   */
  readonly handoff?: string;
}

/**
 * What the first WeCom callback of a login left for a repeated hit of the same browser
 * (callback-replay.ts): who may read it, and once finished the sealed result.
 */
export interface CallbackResultRecord {
  /** Hash of the browser-binding cookie of the login. */
  readonly bindingHash: string;
  /** `pending` while the first hit still talks to WeCom. */
  readonly status: 'pending' | 'done';
  /** The result, sealed with a key derived from the binding cookie value (never stored). */
  readonly sealed?: string;
}

/**
 * Keys of the records a WeCom `state` names, from the state's hash: the callback needs several of
 * them and hashes the state once.
 */
export const stateKeys = {
  /** Set when a callback consumes the login: its sealed cookie cannot be used twice. */
  used: (stateHash: string) => storeKey('login-used', stateHash),
  callbackResult: (stateHash: string) => storeKey('callback-done', stateHash),
};
