/**
 * `/.well-known/openid-configuration` and `/jwks`: built once from PUBLIC_URL, served from memory.
 *
 * NocoBase fetches discovery twice and the JWKS once per login, so both are pre-serialised
 * strings with cache headers. Every field is explicit: omitted fields have dangerous defaults
 * (implicit grant, fragment response mode, request_uri support). The RFC 9207 `iss` parameter is
 * not advertised, because NocoBase then fails every callback that lacks it.
 */
import type { FastifyInstance } from 'fastify';
import type { BridgeContext } from '../context.js';
import { VERSION } from '../version.js';
import { SUPPORTED_CLAIMS, SUPPORTED_SCOPES } from './claims.js';

/** The discovery document for `publicUrl`. */
export function discoveryDocument(publicUrl: string, alg: string, backchannel = false): Record<string, unknown> {
  return {
    issuer: publicUrl,
    authorization_endpoint: `${publicUrl}/authorize`,
    token_endpoint: `${publicUrl}/token`,
    userinfo_endpoint: `${publicUrl}/userinfo`,
    jwks_uri: `${publicUrl}/jwks`,
    end_session_endpoint: `${publicUrl}/logout`,
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [alg],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: [...SUPPORTED_CLAIMS],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    ui_locales_supported: ['zh-CN', 'en'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: false,
    // Back-Channel Logout 1.0: only when some client registered a URI (logout tokens carry sid).
    ...(backchannel ? { backchannel_logout_supported: true, backchannel_logout_session_supported: true } : {}),
    // Not part of OpenID Connect: lets a relying party's admin (the NocoBase plugin's settings)
    // see which bridge answers, for the compatibility table in docs/nocobase.md.
    wecom_oidc_bridge_version: VERSION,
  };
}

/** Registers discovery and JWKS. */
export function registerDiscovery(app: FastifyInstance, context: BridgeContext): void {
  const backchannel = context.config.clients.some((client) => client.backchannelLogoutUri !== undefined);
  const discovery = JSON.stringify(discoveryDocument(context.config.publicUrl, context.keys.alg, backchannel));
  const jwks = JSON.stringify(context.keys.jwks());
  // CORS is allowed on these public documents (OIDC Discovery §4); browsers may read them.
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*',
  };
  app.get('/.well-known/openid-configuration', { config: { errorMode: 'json' } }, async (_request, reply) =>
    reply.headers(headers).send(discovery),
  );
  app.get('/jwks', { config: { errorMode: 'json' } }, async (_request, reply) =>
    reply.headers({ ...headers, 'content-type': 'application/json; charset=utf-8' }).send(jwks),
  );
}
