/**
 * Validating an RP-initiated logout request (OpenID Connect RP-Initiated Logout 1.0 §2, §3).
 *
 * - `id_token_hint` must be an ID token we issued (our keys and algorithms only; expired is
 *   fine, §2) for a registered client; anything else is an error page.
 * - `client_id`, when sent, must be registered and, with a hint, be among its audiences.
 * - `post_logout_redirect_uri` must be registered for that client, exactly; a mismatch is an
 *   error page. It is only ever used with a valid hint (§3: without one, the OP must not redirect
 *   unless it can otherwise confirm the target): without a hint the user is signed out on our
 *   own page and stays there.
 * - `state` is echoed to that URI, so it is bounded ({@link MAX_LOGOUT_STATE}); `ui_locales` only
 *   picks the page language and is cut to a few tags. Both travel in the confirmation form, which
 *   must stay small.
 */
import type { ClientConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { boundedUiLocales } from '../pages/i18n.js';
import { type RawParams, readParams } from './params.js';
import { withQuery } from './redirect.js';

/** Longest `state` /logout accepts (it is echoed to the post-logout redirect URI). */
export const MAX_LOGOUT_STATE = 512;

/** What a valid id_token_hint names. */
export interface LogoutHint {
  readonly sub: string;
  readonly sid?: string;
  readonly client: ClientConfig;
}

/** Where to send the browser after the sign-out: a registered URI (vouched for by a valid hint) and the RP's state. */
export interface LogoutTarget {
  readonly uri: string;
  readonly state?: string;
}

/** A validated logout request. */
export interface LogoutRequest {
  /** The client named by `client_id` or, failing that, by the hint's audience. */
  readonly client?: ClientConfig;
  readonly hint?: LogoutHint;
  /** Set only when a valid hint vouches for the registered post-logout URI. */
  readonly target?: LogoutTarget;
  /** At most a few well-formed tags (see {@link boundedUiLocales}). */
  readonly uiLocales?: string;
}

/** @throws a page-mode {@link BridgeError} (400) when the request must not be honoured. */
export async function parseLogoutRequest(raw: RawParams, context: BridgeContext): Promise<LogoutRequest> {
  const p = readParams(raw, [
    'id_token_hint',
    'client_id',
    'post_logout_redirect_uri',
    'state',
    'ui_locales',
    'logout_hint',
  ]);
  if (p.state !== undefined && p.state.length > MAX_LOGOUT_STATE) {
    throw pageError(`The state parameter is longer than ${MAX_LOGOUT_STATE} characters`, 'logout_state_too_long');
  }
  const named = p.client_id === undefined ? undefined : context.clients.find(p.client_id);
  if (p.client_id !== undefined && !named) throw pageError('The client_id is not registered', 'unknown_client');
  const hint = p.id_token_hint === undefined ? undefined : await verifyLogoutHint(p.id_token_hint, named, context);
  const client = named ?? hint?.client;
  const uri = p.post_logout_redirect_uri;
  if (uri !== undefined && client && !client.postLogoutRedirectUris.includes(uri)) {
    throw pageError(
      'The post_logout_redirect_uri is not registered for this client (exact match required)',
      'post_logout_redirect_uri_mismatch',
    );
  }
  const target = uri !== undefined && hint ? { uri, ...(p.state === undefined ? {} : { state: p.state }) } : undefined;
  const uiLocales = boundedUiLocales(p.ui_locales);
  return {
    ...(client ? { client } : {}),
    ...(hint ? { hint } : {}),
    ...(target ? { target } : {}),
    ...(uiLocales === undefined ? {} : { uiLocales }),
  };
}

/** The URL a {@link LogoutTarget} sends the browser to: the registered URI with `state`. */
export function targetUrl(target: LogoutTarget): string {
  return withQuery(target.uri, { state: target.state });
}

/** The hint's subject, session and client; `named` (client_id) must be one of its audiences. */
async function verifyLogoutHint(
  token: string,
  named: ClientConfig | undefined,
  context: BridgeContext,
): Promise<LogoutHint> {
  const payload = await context.keys.verify(token, { issuer: context.config.publicUrl, allowExpired: true });
  const audiences = (Array.isArray(payload?.aud) ? payload.aud : [payload?.aud]).filter(
    (aud): aud is string => typeof aud === 'string',
  );
  const client = audiences.map((aud) => context.clients.find(aud)).find((found) => found !== undefined);
  if (!payload || typeof payload.sub !== 'string' || !client) {
    throw pageError('The id_token_hint is not a valid ID token of this provider', 'invalid_logout_hint');
  }
  if (named && !audiences.includes(named.clientId)) {
    throw pageError('The client_id does not match the id_token_hint', 'logout_client_mismatch');
  }
  const hintClient = named ?? client;
  return { sub: payload.sub, client: hintClient, ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}) };
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}
