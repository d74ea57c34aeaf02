/**
 * The plugin's two cookies, written as headers (Koa refuses `Secure` cookies behind a TLS proxy
 * it does not trust): the browser binding of sign-ins in progress, and the short "just signed
 * out" marker that keeps the sign-in page from logging the person straight back in.
 */
import type { NocoContext } from './nocobase-types.js';
import { apiBasePath, isHttps, publicPath } from './site.js';
import { TRANSACTION_TTL_MS } from './transactions.js';

/** HttpOnly; sent to the API only. Holds a random value whose hash each transaction stores. */
export const BINDING_COOKIE = 'wecom_bridge_binding';
/** Readable by the sign-in page's script, which skips the WeCom auto login while it is set. */
export const SIGNED_OUT_COOKIE = 'wecom_bridge_signed_out';

/** Sets the binding cookie for as long as a transaction lives (renewed by each new sign-in). */
export function setBindingCookie(ctx: NocoContext, value: string): void {
  appendCookie(ctx, `${BINDING_COOKIE}=${value}; Path=${apiBasePath()}; Max-Age=${TRANSACTION_TTL_MS / 1000}; HttpOnly; SameSite=Lax${isHttps(ctx) ? '; Secure' : ''}`);
}

/** Marks this browser as just signed out for five minutes. */
export function setSignedOutCookie(ctx: NocoContext): void {
  appendCookie(ctx, `${SIGNED_OUT_COOKIE}=1; Path=${publicPath()}; Max-Age=300; SameSite=Lax${isHttps(ctx) ? '; Secure' : ''}`);
}

/** Clears the signed-out marker (a completed sign-in). */
export function clearSignedOutCookie(ctx: NocoContext): void {
  appendCookie(ctx, `${SIGNED_OUT_COOKIE}=; Path=${publicPath()}; Max-Age=0; SameSite=Lax`);
}

/** The value of `name` in the request's cookies (only the characters a random token uses). */
export function readCookie(ctx: NocoContext, name: string): string | undefined {
  const value = ctx.cookies.get(name);
  return value && /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : undefined;
}

function appendCookie(ctx: NocoContext, cookie: string): void {
  const res = (ctx as unknown as { res: { getHeader(n: string): unknown; setHeader(n: string, v: string[]): void } }).res;
  const existing = res.getHeader('set-cookie');
  const list = Array.isArray(existing) ? (existing as string[]) : typeof existing === 'string' ? [existing] : [];
  res.setHeader('set-cookie', [...list, cookie]);
}
