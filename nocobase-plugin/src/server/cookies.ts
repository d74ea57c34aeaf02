/**
 * The plugin's cookies, written as headers (Koa refuses `Secure` cookies behind a TLS proxy it
 * does not trust): the sealed sign-ins in progress, the browser half of a hand-off, and the short
 * "just signed out" marker that keeps the sign-in page from logging the person straight back in.
 *
 * On https the first two carry the `__Host-` prefix: a sibling subdomain (or a page on plain http)
 * cannot plant them, so nobody can slip their own sign-in into another person's browser.
 */

import { SIGNED_OUT_COOKIE } from '../constants.js';
import type { NocoContext } from './nocobase-types.js';
import { apiBasePath, isHttps, publicPath } from './site.js';

/** HttpOnly; the sealed login transactions of this browser (transactions.ts). */
export const LOGIN_COOKIE = 'wecom_bridge_login';
/** HttpOnly; the browser's half of a hand-off (handoff.ts). */
export const HANDOFF_COOKIE = 'wecom_bridge_handoff';

/** The name `base` has on this request's scheme (`__Host-` on https). */
export function cookieName(ctx: NocoContext, base: string): string {
  return isHttps(ctx) ? `__Host-${base}` : base;
}

/** Sets the HttpOnly cookie `base` for `maxAgeSeconds` (0 deletes it). */
export function setPrivateCookie(ctx: NocoContext, base: string, value: string, maxAgeSeconds: number): void {
  // `__Host-` requires Path=/ and Secure; on plain http the cookie goes to the API only.
  const scope = isHttps(ctx) ? 'Path=/; Secure' : `Path=${apiBasePath()}`;
  appendCookie(ctx, `${cookieName(ctx, base)}=${value}; ${scope}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax`);
}

/** The value of the HttpOnly cookie `base` (only base64url characters, bounded). */
export function readPrivateCookie(ctx: NocoContext, base: string): string | undefined {
  const value = ctx.cookies.get(cookieName(ctx, base));
  return value && /^[A-Za-z0-9_-]{16,4096}$/.test(value) ? value : undefined;
}

/** Marks this browser as just signed out for five minutes. */
export function setSignedOutCookie(ctx: NocoContext): void {
  appendCookie(
    ctx,
    `${SIGNED_OUT_COOKIE}=1; Path=${publicPath()}; Max-Age=300; SameSite=Lax${isHttps(ctx) ? '; Secure' : ''}`,
  );
}

/** Clears the signed-out marker (a completed sign-in). */
export function clearSignedOutCookie(ctx: NocoContext): void {
  appendCookie(ctx, `${SIGNED_OUT_COOKIE}=; Path=${publicPath()}; Max-Age=0; SameSite=Lax`);
}

function appendCookie(ctx: NocoContext, cookie: string): void {
  const existing = ctx.res.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing : typeof existing === 'string' ? [existing] : [];
  ctx.res.setHeader('set-cookie', [...list, cookie]);
}
