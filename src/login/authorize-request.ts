/**
 * Validating an authorization request, in the order that keeps it safe:
 *
 * 1. `client_id` and `redirect_uri` (exact string match). Until both hold, nothing may redirect:
 *    failures are shown as a page ({@link validateRedirectTarget}).
 * 2. `response_mode` other than `query`: a page too (we cannot answer in a mode we do not speak).
 * 3. Everything else; failures are redirected to the (now trusted) redirect URI with the RP's
 *    state ({@link parseAuthRequest}).
 */
import type { ClientConfig } from '../config/types.js';
import type { BridgeContext } from '../context.js';
import {
  BridgeError,
  invalidRequest,
  invalidScope,
  requestNotSupported,
  requestUriNotSupported,
  unsupportedResponseType,
} from '../errors/bridge-error.js';
import { SUPPORTED_SCOPES } from '../oidc/claims.js';
import { type RawParams, readParam, readParams } from '../oidc/params.js';
import type { AuthRequest } from '../oidc/records.js';
import { boundedUiLocales } from '../pages/i18n.js';

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** The client and redirect URI of a request, once both are verified. */
export interface RedirectTarget {
  readonly client: ClientConfig;
  readonly redirectUri: string;
}

/** Step 1 and 2. @throws a page-mode {@link BridgeError} (status 400). */
export function validateRedirectTarget(raw: RawParams, context: BridgeContext): RedirectTarget {
  const clientId = readParam(raw, 'client_id');
  if (clientId === undefined) throw pageError('The client_id parameter is missing', 'unknown_client');
  const client = context.clients.find(clientId);
  if (!client) throw pageError('The client_id is not registered', 'unknown_client');
  const redirectUri = readParam(raw, 'redirect_uri');
  if (redirectUri === undefined) throw pageError('The redirect_uri parameter is missing', 'redirect_uri_mismatch');
  if (!client.redirectUris.includes(redirectUri)) {
    throw pageError(
      'The redirect_uri is not registered for this client (exact match required)',
      'redirect_uri_mismatch',
    );
  }
  const responseMode = readParam(raw, 'response_mode');
  if (responseMode !== undefined && responseMode !== 'query') {
    throw pageError('Only response_mode=query is supported', 'unsupported_response_mode');
  }
  return { client, redirectUri };
}

/** Step 3. @throws a {@link BridgeError} to be redirected to the relying party. */
export async function parseAuthRequest(
  raw: RawParams,
  target: RedirectTarget,
  state: string | undefined,
  context: BridgeContext,
): Promise<AuthRequest> {
  const p = readParams(raw, [
    'response_type',
    'scope',
    'nonce',
    'prompt',
    'max_age',
    'code_challenge',
    'code_challenge_method',
    'id_token_hint',
    'ui_locales',
    'request',
    'request_uri',
    // Accepted and ignored (OIDC Core §3.1.2.1); read so that repeats are still refused.
    'display',
    'login_hint',
    'claims_locales',
    'acr_values',
    'claims',
  ]);
  if (p.request !== undefined) throw requestNotSupported('Request objects (request) are not supported');
  if (p.request_uri !== undefined)
    throw requestUriNotSupported('Request objects by reference (request_uri) are not supported');
  if (p.response_type === undefined) throw invalidRequest('The response_type parameter is missing');
  if (p.response_type !== 'code') throw unsupportedResponseType('Only response_type=code is supported');
  const scopes = parseScopes(p.scope);
  const prompt = parsePrompt(p.prompt);
  const maxAge = parseMaxAge(p.max_age);
  const codeChallenge = parsePkce(p.code_challenge, p.code_challenge_method);
  const hintSub = p.id_token_hint === undefined ? undefined : await verifyHint(p.id_token_hint, target.client, context);
  return {
    clientId: target.client.clientId,
    redirectUri: target.redirectUri,
    scopes,
    prompt,
    ...(state === undefined ? {} : { state }),
    ...(p.nonce === undefined ? {} : { nonce: p.nonce }),
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(codeChallenge === undefined ? {} : { codeChallenge }),
    ...(hintSub === undefined ? {} : { hintSub }),
    // Kept short (five well-formed tags): it travels in the login's cookie.
    ...optionalUiLocales(boundedUiLocales(p.ui_locales)),
  };
}

/** Keeps the scopes we support, in a stable order; `openid` is required (OIDC Core §3.1.2.1). */
function parseScopes(scope: string | undefined): string[] {
  const requested = new Set((scope ?? '').split(' ').filter(Boolean));
  if (!requested.has('openid')) throw invalidScope('The scope must include openid');
  return SUPPORTED_SCOPES.filter((name) => requested.has(name));
}

function parsePrompt(prompt: string | undefined): string[] {
  const values = [...new Set((prompt ?? '').split(' ').filter(Boolean))];
  const unknown = values.filter((value) => !PROMPTS.has(value));
  if (unknown.length > 0) throw invalidRequest(`Unsupported prompt value: ${unknown.join(' ')}`, 'unsupported_prompt');
  if (values.includes('none') && values.length > 1)
    throw invalidRequest('prompt=none cannot be combined with other values');
  return values;
}

function parseMaxAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw invalidRequest('max_age must be a non-negative whole number of seconds');
  return Number(value);
}

/** RFC 7636 with S256 only: `plain` (or no method, which means plain) is a downgrade. */
function parsePkce(challenge: string | undefined, method: string | undefined): string | undefined {
  if (challenge === undefined) {
    if (method !== undefined) throw invalidRequest('code_challenge_method was sent without code_challenge');
    return undefined;
  }
  if (method !== 'S256') throw invalidRequest('code_challenge_method must be S256', 'pkce_method_unsupported');
  if (!S256_CHALLENGE.test(challenge))
    throw invalidRequest('code_challenge must be 43 base64url characters (S256)', 'pkce_malformed');
  return challenge;
}

/** An id_token_hint must be an ID token we issued (expired is fine); returns its `sub`. */
async function verifyHint(hint: string, client: ClientConfig, context: BridgeContext): Promise<string> {
  const payload = await context.keys.verify(hint, { issuer: context.config.publicUrl, allowExpired: true });
  const audience = Array.isArray(payload?.aud) ? payload.aud : [payload?.aud];
  if (!payload || typeof payload.sub !== 'string' || !audience.includes(client.clientId)) {
    throw invalidRequest(
      'The id_token_hint is not a valid ID token of this provider for this client',
      'invalid_id_token_hint',
    );
  }
  return payload.sub;
}

function pageError(description: string, reason: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status: 400, reason, description });
}

function optionalUiLocales(uiLocales: string | undefined): { uiLocales?: string } {
  return uiLocales === undefined ? {} : { uiLocales };
}
