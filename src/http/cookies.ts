/**
 * The bridge's two cookies.
 *
 * - login binding: a random value whose hash each login transaction stores; the WeCom callback
 *   must present it, so a callback URL replayed in another browser logs nobody in. One value per
 *   browser (not per login) so that logins in two tabs do not evict each other.
 * - session: references the SSO session record.
 *
 * Both are HttpOnly and SameSite=Lax (Lax, not Strict: WeCom's callback is a cross-site top-level
 * GET that must carry the cookie). Behind https they are `__Host-` cookies: Secure, Path=/, no
 * Domain, so no sibling host can set or read them. `__Host-` forces Path=/ even when PUBLIC_URL
 * has a path prefix, hence the distinctive names.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieJar } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** Names and attributes from `PUBLIC_URL`. */
export function cookieJar(publicUrl: string): CookieJar {
  const secure = publicUrl.startsWith('https://');
  const prefix = secure ? '__Host-' : '';
  return { bindingName: `${prefix}wecom-oidc-login`, sessionName: `${prefix}wecom-oidc-session`, secure };
}

/** A well-formed cookie value, or undefined (a tampered or foreign value counts as none). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const value = request.cookies[name];
  return value !== undefined && COOKIE_VALUE.test(value) ? value : undefined;
}

/** Returns this browser's binding value, setting or refreshing the cookie for `ttlSeconds`. */
export function bindBrowser(request: FastifyRequest, reply: FastifyReply, jar: CookieJar, ttlSeconds: number): string {
  const value = readCookie(request, jar.bindingName) ?? randomSecret();
  setCookie(reply, jar, jar.bindingName, value, ttlSeconds);
  return value;
}

/** Sets the session cookie. */
export function setSessionCookie(reply: FastifyReply, jar: CookieJar, value: string, ttlSeconds: number): void {
  setCookie(reply, jar, jar.sessionName, value, ttlSeconds);
}

/** Expires the session cookie. */
export function clearSessionCookie(reply: FastifyReply, jar: CookieJar): void {
  reply.clearCookie(jar.sessionName, { path: '/', secure: jar.secure, httpOnly: true, sameSite: 'lax' });
}

function setCookie(reply: FastifyReply, jar: CookieJar, name: string, value: string, ttlSeconds: number): void {
  reply.setCookie(name, value, { path: '/', httpOnly: true, sameSite: 'lax', secure: jar.secure, maxAge: ttlSeconds });
}
