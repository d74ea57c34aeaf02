/**
 * Client authentication at the token endpoint: `client_secret_basic` and `client_secret_post`.
 *
 * RFC 6749 §2.3.1: with Basic, id and secret are form-urlencoded before base64, so both halves
 * are URL-decoded here (space as `+`); secrets with `+ / = : %` work. NocoBase may send Basic and
 * the body at once: accepted when both name the same client with the same secret.
 */
import type { ClientConfig } from '../config/types.js';
import type { ClientDirectory } from '../context.js';
import { safeEqual } from '../crypto/secrets.js';
import { invalidClient, invalidRequest } from '../errors/bridge-error.js';
import { type RawParams, readParams } from './params.js';

/** RFC 6749 §5.2: a 401 after (or for want of) Basic credentials carries a Basic challenge. */
const BASIC = { challenge: 'Basic realm="wecom-oidc-bridge", charset="UTF-8"' } as const;

/** Compared against when the client is unknown, so timing does not reveal which ids exist. */
const DUMMY_SECRET = 'wecom-oidc-bridge-unknown-client-secret';

/** Registered clients by id: the context's {@link ClientDirectory}. */
export class ClientRegistry implements ClientDirectory {
  private readonly byId: ReadonlyMap<string, ClientConfig>;

  constructor(clients: readonly ClientConfig[]) {
    this.byId = new Map(clients.map((client) => [client.clientId, client]));
  }

  /** The client with this id, if registered. */
  find(clientId: string | undefined): ClientConfig | undefined {
    return clientId === undefined ? undefined : this.byId.get(clientId);
  }
}

/**
 * The registered client a token request names (Basic first, as {@link authenticateClient} reads
 * it), without authenticating it and without throwing; undefined for none or an unregistered id.
 */
export function claimedClientId(
  clients: ClientDirectory,
  authorization: string | undefined,
  body: RawParams,
): string | undefined {
  let id: string | undefined;
  try {
    id = authorization === undefined ? undefined : parseBasic(authorization).id;
  } catch {
    id = undefined;
  }
  const fromBody = body?.client_id;
  id ??= typeof fromBody === 'string' ? fromBody : undefined;
  return id !== undefined && clients.find(id) !== undefined ? id : undefined;
}

/**
 * Authenticates the caller of the token endpoint.
 * @throws invalid_client (401) for missing, unknown or wrong credentials; invalid_request when
 * Basic and body contradict each other.
 */
export function authenticateClient(
  clients: ClientDirectory,
  authorization: string | undefined,
  body: RawParams,
): ClientConfig {
  const form = readParams(body, ['client_id', 'client_secret']);
  const basic = authorization === undefined ? undefined : parseBasic(authorization);
  if (basic && form.client_id !== undefined && form.client_id !== basic.id) {
    throw invalidRequest('client_id in the body differs from the Authorization header', 'client_id_mismatch');
  }
  if (basic && form.client_secret !== undefined && !safeEqual(form.client_secret, basic.secret)) {
    throw invalidClient('Client authentication failed', 'client_secret_mismatch', BASIC);
  }
  const id = basic?.id ?? form.client_id;
  const secret = basic?.secret ?? form.client_secret;
  if (id === undefined || secret === undefined) {
    throw invalidClient(
      'Client authentication is required (client_secret_basic or client_secret_post)',
      'client_auth_missing',
      BASIC,
    );
  }
  const client = clients.find(id);
  const matches = safeEqual(secret, client?.clientSecret ?? DUMMY_SECRET);
  if (!client || !matches) throw invalidClient('Client authentication failed', 'client_auth_failed', BASIC);
  return client;
}

/** Decodes `Basic base64(urlencode(id) ":" urlencode(secret))`. */
function parseBasic(header: string): { id: string; secret: string } {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!match)
    throw invalidClient('The Authorization header is not valid Basic credentials', 'client_auth_malformed', BASIC);
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1)
    throw invalidClient('The Authorization header is not valid Basic credentials', 'client_auth_malformed', BASIC);
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient(
      'The Basic credentials are not form-urlencoded (RFC 6749 section 2.3.1)',
      'client_auth_malformed',
      BASIC,
    );
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
