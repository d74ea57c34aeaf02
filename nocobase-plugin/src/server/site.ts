/**
 * Where this NocoBase is, as the browser sees it: its origin (from the request, honouring the
 * proxy's X-Forwarded-* headers: a forged value can only produce a redirect URI the provider
 * refuses), its public path and its API base path (NocoBase's APP_PUBLIC_PATH, API_BASE_PATH).
 */
import type { NocoContext } from './nocobase-types.js';

/** The redirect route, relative to the API base path: register `<origin><API base>wecomBridge:redirect`. */
export const REDIRECT_ACTION = 'wecomBridge:redirect';

/** The origin of the request, e.g. `https://nocobase.example.com`. */
export function siteOrigin(ctx: NocoContext): string {
  const proto = firstValue(ctx.get('x-forwarded-proto')) || ctx.protocol;
  const host = firstValue(ctx.get('x-forwarded-host')) || ctx.host;
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}

/** Whether the browser reached NocoBase over https (for the cookies' Secure flag). */
export function isHttps(ctx: NocoContext): boolean {
  return siteOrigin(ctx).startsWith('https:');
}

/** NocoBase's public path with a trailing slash (APP_PUBLIC_PATH, default `/`). */
export function publicPath(): string {
  return withSlashes(process.env.APP_PUBLIC_PATH || '/');
}

/** NocoBase's API base path with a trailing slash (API_BASE_PATH, default `/api/`). */
export function apiBasePath(): string {
  return withSlashes(process.env.API_BASE_PATH || '/api/');
}

/** The redirect URI to register at the provider for this site. */
export function redirectUri(ctx: NocoContext): string {
  return `${siteOrigin(ctx)}${apiBasePath()}${REDIRECT_ACTION}`;
}

/** A site path (`/admin`) under the public path (`/nocobase/admin`). */
export function sitePath(path: string): string {
  return `${publicPath().replace(/\/$/, '')}${path}`;
}

/**
 * Whether `pathname` (with the public path) is a page of NocoBase's modern client (`/v/…`),
 * which loads only plugins built for it.
 */
export function isModernLane(pathname: string): boolean {
  const modern = `${publicPath()}v`;
  return pathname === modern || pathname.startsWith(`${modern}/`);
}

/** The sign-in page's path. */
export function signInPath(): string {
  return `${publicPath()}signin`;
}

function firstValue(header: string | undefined): string {
  return (header ?? '').split(',')[0]!.trim();
}

function withSlashes(path: string): string {
  const leading = path.startsWith('/') ? path : `/${path}`;
  return leading.endsWith('/') ? leading : `${leading}/`;
}
