/**
 * The landing page's half of the hand-off: a page opened with `?wecomBridgeHandOff=<value>` trades
 * the value (with the browser's HttpOnly hand-off cookie) for NocoBase's token by
 * `POST wecomBridge:handOff`, before the app renders, and drops the parameter from the address bar.
 * The token itself never appears in a URL.
 */

import { HANDOFF_PARAM, RESOURCE, SIGNED_OUT_COOKIE } from '../constants.js';

/** The signed-out marker: set when a hand-off fails, so the auto login cannot loop. */
const SIGNED_OUT_MARKER = `${SIGNED_OUT_COOKIE}=1; path=/; max-age=300; samesite=lax`;

/** NocoBase's API client as far as the hand-off needs it. */
export interface AuthClient {
  auth: { setToken(token: string): void; setAuthenticator(name: string): void };
  axios: { defaults: { baseURL?: string } };
}

/** Completes a hand-off named in the current URL, if any; never throws. */
export async function completeHandOff(api: AuthClient, location: Location = window.location): Promise<void> {
  const url = new URL(location.href);
  const value = url.searchParams.get(HANDOFF_PARAM);
  if (!value) return;
  url.searchParams.delete(HANDOFF_PARAM);
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  try {
    const signedIn = await exchange(String(api.axios.defaults.baseURL ?? '/api/'), value);
    api.auth.setAuthenticator(signedIn.authenticator);
    api.auth.setToken(signedIn.token);
  } catch (error) {
    // biome-ignore lint/suspicious/noDocumentCookie: the marker must be readable by the sign-in page's script.
    document.cookie = SIGNED_OUT_MARKER;
    console.warn(
      `wecom-bridge: the sign-in could not be handed to this page (${(error as Error).message}); sign in again`,
    );
  }
}

async function exchange(apiBase: string, value: string): Promise<{ token: string; authenticator: string }> {
  const base = apiBase.endsWith('/') ? apiBase : `${apiBase}/`;
  const response = await fetch(`${base}${RESOURCE}:handOff`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ value }),
  });
  const body = (await response.json().catch(() => undefined)) as
    | { data?: { token?: unknown; authenticator?: unknown } }
    | undefined;
  const data = body?.data;
  if (!response.ok || typeof data?.token !== 'string' || typeof data.authenticator !== 'string')
    throw new Error(`HTTP ${response.status}`);
  return { token: data.token, authenticator: data.authenticator };
}
