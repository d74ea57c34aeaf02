/**
 * The provider's half of a sign-out in NocoBase's modern client. That client follows the
 * `redirect` of `auth:signOut` only to a same-origin sign-in page, never to the provider's
 * end_session_endpoint, so the end-session URL waits in a sealed, HttpOnly cookie for five
 * minutes while the browser goes to `/v/signin?wecomBridgeSignOut=1`, whose client comes straight
 * back to `GET /api/wecomBridge:endSession`, which sends it on. The classic client follows the
 * provider's URL itself.
 */
import { SIGN_OUT_PARAM } from '../constants.js';
import { readPrivateCookie, setPrivateCookie } from './cookies.js';
import type { NocoContext } from './nocobase-types.js';
import { runtimeOf } from './runtime.js';
import { seal, unseal } from './seal.js';
import { publicPath } from './site.js';

/** HttpOnly; the provider's end-session URL of a sign-out in the modern client. */
export const END_SESSION_COOKIE = 'wecom_bridge_end_session';

const END_SESSION_SECONDS = 300;

/** The modern client's sign-in page, e.g. `/v/signin`. */
export function modernSignInPath(): string {
  return `${publicPath()}v/signin`;
}

/** Whether the sign-out was sent from a page of the modern client (its `Referer` is under `/v/`). */
export function fromModernLane(ctx: NocoContext): boolean {
  const referer = ctx.get('referer');
  if (!referer) return false;
  try {
    const path = new URL(referer).pathname;
    return path === `${publicPath()}v` || path.startsWith(`${publicPath()}v/`);
  } catch {
    return false;
  }
}

/** Keeps `endSessionUrl` for the modern sign-in page to come back for; returns that page. */
export function parkEndSession(ctx: NocoContext, endSessionUrl: string): string {
  setPrivateCookie(
    ctx,
    END_SESSION_COOKIE,
    seal(runtimeOf(ctx.app).cookieKey(), endSessionUrl, END_SESSION_COOKIE),
    END_SESSION_SECONDS,
  );
  return `${modernSignInPath()}?${SIGN_OUT_PARAM}=1`;
}

/** `GET wecomBridge:endSession`: 302 to the parked end-session URL (once), else to the sign-in page. */
export async function endSessionAction(ctx: NocoContext, next: () => Promise<void>): Promise<void> {
  ctx.withoutDataWrapping = true;
  ctx.set('cache-control', 'no-store');
  const sealed = readPrivateCookie(ctx, END_SESSION_COOKIE);
  const url = sealed ? unseal(runtimeOf(ctx.app).cookieKey(), sealed, END_SESSION_COOKIE) : undefined;
  setPrivateCookie(ctx, END_SESSION_COOKIE, '', 0);
  ctx.redirect(typeof url === 'string' && /^https?:\/\//.test(url) ? url : modernSignInPath());
  await next();
}
