/**
 * Where the sign-in button goes, and whether the sign-in page may start the login by itself.
 * Pure functions of the browser's location, User-Agent and cookies.
 */

import { LANE_PARAM, RESOURCE, SIGN_OUT_PARAM, SIGNED_OUT_COOKIE } from '../constants.js';

/** An authenticator as the sign-in page lists it (`authenticators:publicList`). */
export interface PublicAuthenticator {
  name: string;
  title?: string;
  options?: { autoLoginInWeCom?: unknown };
}

/**
 * The URIs this NocoBase uses, for the administrator to register at the bridge: the redirect URI
 * (`<api base>wecomBridge:redirect`), the post-logout redirect URIs (the sign-in pages of the
 * classic and the modern client, whichever lane the form is shown in) and the back-channel logout
 * URI (`<api base>wecomBridge:backchannelLogout`).
 */
export function registerUris(apiBase: string): { redirect: string; postLogout: string; backchannelLogout: string } {
  const api = new URL(apiBase, window.location.origin).href.replace(/\/?$/, '/');
  const lanePath = String(
    (window as unknown as { __nocobase_public_path__?: string }).__nocobase_public_path__ ?? '/',
  ).replace(/\/?$/, '/');
  // The modern client's public path is the site's plus `v/`.
  const site = `${window.location.origin}${lanePath.replace(/v\/$/, '')}`;
  return {
    redirect: `${api}${RESOURCE}:redirect`,
    postLogout: `${site}signin,${site}v/signin`,
    backchannelLogout: `${api}${RESOURCE}:backchannelLogout`,
  };
}

/**
 * `GET <api>wecomBridge:signIn?authenticator=<name>[&redirect=<page>]`, carrying the sign-in page's
 * own `?redirect=` (the page the person asked for before being sent to sign in).
 */
export function signInUrl(
  apiBase: string,
  authenticator: string,
  search: string,
  lane: 'classic' | 'modern' = 'classic',
): string {
  const base = apiBase.endsWith('/') ? apiBase : `${apiBase}/`;
  const params = new URLSearchParams({ authenticator });
  const redirect = new URLSearchParams(search).get('redirect');
  if (redirect) params.set('redirect', redirect);
  // Without a page asked for, the server lands on the configured page in this lane.
  else if (lane === 'modern') params.set(LANE_PARAM, 'modern');
  return `${base}${RESOURCE}:signIn?${params.toString()}`;
}

/** Inside the WeCom client (its User-Agent carries `wxwork`). */
export function isWeComClient(userAgent: string): boolean {
  return /\bwxwork\//i.test(userAgent);
}

/** Whether to start the login without a click: the option, the WeCom client, and not just signed out. */
export function shouldAutoLogin(
  options: { autoLoginInWeCom?: unknown } | undefined,
  userAgent: string,
  cookies: string,
): boolean {
  if (options?.autoLoginInWeCom !== true || !isWeComClient(userAgent)) return false;
  return !cookies.split(';').some((cookie) => cookie.trim().startsWith(`${SIGNED_OUT_COOKIE}=`));
}

/**
 * On a sign-in page opened by a sign-out with `?wecomBridgeSignOut=1` (the modern client follows
 * only same-origin sign-in pages after `auth:signOut`): goes on to the server's `endSession`,
 * which ends the provider's session. Returns whether the page is leaving.
 */
export function continueSignOut(apiBase: string, location: Location = window.location): boolean {
  if (!new URLSearchParams(location.search).has(SIGN_OUT_PARAM)) return false;
  const base = apiBase.endsWith('/') ? apiBase : `${apiBase}/`;
  location.replace(`${base}${RESOURCE}:endSession`);
  return true;
}
