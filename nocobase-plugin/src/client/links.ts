/**
 * Where the sign-in button goes, and whether the sign-in page may start the login by itself.
 * Pure functions of the browser's location, User-Agent and cookies.
 */

/** The plugin's marker cookie after a sign-out (see the server's cookies.ts). */
export const SIGNED_OUT_COOKIE = 'wecom_bridge_signed_out';

/**
 * `GET <api>wecomBridge:signIn?authenticator=<name>[&redirect=<page>]`, carrying the sign-in page's
 * own `?redirect=` (the page the person asked for before being sent to sign in).
 */
export function signInUrl(apiBase: string, authenticator: string, search: string): string {
  const base = apiBase.endsWith('/') ? apiBase : `${apiBase}/`;
  const params = new URLSearchParams({ authenticator });
  const redirect = new URLSearchParams(search).get('redirect');
  if (redirect) params.set('redirect', redirect);
  return `${base}wecomBridge:signIn?${params.toString()}`;
}

/** Inside the WeCom client (its User-Agent carries `wxwork`). */
export function isWeComClient(userAgent: string): boolean {
  return /\bwxwork\//i.test(userAgent);
}

/** Whether to start the login without a click: the option, the WeCom client, and not just signed out. */
export function shouldAutoLogin(options: { autoLoginInWeCom?: unknown } | undefined, userAgent: string, cookies: string): boolean {
  if (options?.autoLoginInWeCom !== true || !isWeComClient(userAgent)) return false;
  return !cookies.split(';').some((cookie) => cookie.trim().startsWith(`${SIGNED_OUT_COOKIE}=`));
}
