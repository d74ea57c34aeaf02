/**
 * The "Sign out?" confirmation, held by the browser instead of the store.
 *
 * Asking must cost the bridge nothing: anyone can load `/logout` as often as they like, and a
 * stored pending sign-out per request let one address fill Redis. So the confirmation form
 * carries the pending sign-out itself, as a token `<expiry>.<sealed>`:
 *
 * - sealed (AES-256-GCM, `crypto/seal.ts`) under a key derived from a server secret (the WeCom
 *   app secret, which every replica has and no browser does), so nobody can forge or alter one,
 *   e.g. to choose the redirect target;
 * - bound to this browser: the key's context holds the hash of the browser's binding cookie, so
 *   the token opens only where it was asked for (a forged cross-site confirmation, the CSRF this
 *   form exists against, cannot be opened with the victim's cookie);
 * - expiring after LOGIN_TTL (the expiry in the clear only says "expired" early; the sealed copy
 *   decides);
 * - used once: confirming claims a small mark under the token's hash, until the token's expiry.
 *   That mark is the only thing stored, and only for a confirmation that opened.
 */
import type { BridgeContext } from '../context.js';
import { seal, unseal } from '../crypto/seal.js';
import { sha256 } from '../crypto/secrets.js';
import { BridgeError } from '../errors/bridge-error.js';
import type { LogoutTarget } from './logout-request.js';
import { keys } from './records.js';

/** What a confirmed sign-out needs: what the pending record used to hold. */
export interface PendingLogout {
  /** The verified post-logout redirect, only with a valid id_token_hint. */
  readonly target?: LogoutTarget;
  readonly clientId?: string;
  readonly uiLocales?: string;
}

/** The sealed payload: the pending sign-out and its expiry (epoch seconds). */
interface Sealed extends PendingLogout {
  readonly exp: number;
}

const PURPOSE = 'logout-confirm v1';

/** The token for the confirmation form of `pending`, asked in the browser whose binding cookie is `binding`. */
export function confirmationToken(context: BridgeContext, binding: string, pending: PendingLogout): string {
  const exp = Math.floor(context.now() / 1000) + context.config.ttl.login;
  const sealed: Sealed = { ...pending, exp };
  return `${exp}.${seal(context.config.wecom.secret, sealContext(binding), JSON.stringify(sealed), context.now())}`;
}

/**
 * Opens a confirmation token in the browser whose binding cookie is `binding` and uses it up.
 * @throws `logout_expired` (expired or already used) or `logout_foreign` (asked in another
 *   browser, or not a token of ours) page errors.
 */
export async function redeemConfirmation(
  context: BridgeContext,
  binding: string | undefined,
  token: string,
): Promise<PendingLogout> {
  const nowSeconds = Math.floor(context.now() / 1000);
  const dot = token.indexOf('.');
  const shownExpiry = Number(token.slice(0, dot));
  if (dot > 0 && Number.isSafeInteger(shownExpiry) && shownExpiry <= nowSeconds) throw expired();
  const opened = binding === undefined || dot <= 0 ? undefined : open(context, binding, token.slice(dot + 1));
  if (!opened || opened.exp !== shownExpiry) throw foreign();
  if (opened.exp <= nowSeconds) throw expired();
  // One-time use: of two confirmations with one token (a double click, a replay), one wins.
  if (!(await context.store.claim(keys.logoutConfirmed(token), 1, opened.exp - nowSeconds))) throw expired();
  const { exp: _exp, ...pending } = opened;
  return pending;
}

function open(context: BridgeContext, binding: string, sealed: string): Sealed | undefined {
  const json = unseal(
    context.config.wecom.secret,
    sealContext(binding),
    sealed,
    context.now(),
    context.config.ttl.login,
  ).plaintext;
  if (json === undefined) return undefined;
  try {
    const value = JSON.parse(json) as Sealed;
    return typeof value === 'object' && value !== null && Number.isSafeInteger(value.exp) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The seal's context: the purpose and the browser (the hash of its binding cookie). */
function sealContext(binding: string): string {
  return `${PURPOSE}\n${sha256(binding)}`;
}

function expired(): BridgeError {
  return pageError('This sign-out request expired or was already used', 'logout_expired');
}

function foreign(): BridgeError {
  return pageError('This sign-out was not requested in this browser', 'logout_foreign');
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
