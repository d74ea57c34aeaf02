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
 */
import type { ClientConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import { readParams, type RawParams } from './params.js';
import { withQuery } from './redirect.js';

/** What a valid id_token_hint names. */
export interface LogoutHint {
  readonly sub: string;
  readonly sid?: string;
  readonly client: ClientConfig;
}

/** A validated logout request. */
export interface LogoutRequest {
  /** The client named by `client_id` or, failing that, by the hint's audience. */
  readonly client?: ClientConfig;
  readonly hint?: LogoutHint;
  /** The registered post-logout URI with `state`; set only when a valid hint vouches for it. */
  readonly redirectTo?: string;
  readonly uiLocales?: string;
}

/** @throws a page-mode {@link BridgeError} (400) when the request must not be honoured. */
export async function parseLogoutRequest(raw: RawParams, context: BridgeContext): Promise<LogoutRequest> {
  const p = readParams(raw, ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'ui_locales', 'logout_hint']);
  const named = p.client_id === undefined ? undefined : context.clients.find(p.client_id);
  if (p.client_id !== undefined && !named) throw pageError('The client_id is not registered', 'unknown_client');
  const hint = p.id_token_hint === undefined ? undefined : await verifyLogoutHint(p.id_token_hint, named, context);
  const client = named ?? hint?.client;
  const uri = p.post_logout_redirect_uri;
  if (uri !== undefined && client && !client.postLogoutRedirectUris.includes(uri)) {
    throw pageError('The post_logout_redirect_uri is not registered for this client (exact match required)', 'post_logout_redirect_uri_mismatch');
  }
  const redirectTo = uri !== undefined && hint ? withQuery(uri, { state: p.state }) : undefined;
  return {
    ...(client ? { client } : {}),
    ...(hint ? { hint } : {}),
    ...(redirectTo === undefined ? {} : { redirectTo }),
    ...(p.ui_locales === undefined ? {} : { uiLocales: p.ui_locales }),
  };
}

/** The hint's subject, session and client; `named` (client_id) must be one of its audiences. */
async function verifyLogoutHint(token: string, named: ClientConfig | undefined, context: BridgeContext): Promise<LogoutHint> {
  const payload = await context.keys.verify(token, { issuer: context.config.publicUrl, allowExpired: true });
  const audiences = (Array.isArray(payload?.aud) ? payload.aud : [payload?.aud]).filter((aud): aud is string => typeof aud === 'string');
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
