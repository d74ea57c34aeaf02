/**
 * The "start again" link of the bridge's pages: back to the relying party's login.
 *
 * Only addresses the administrator registered are used (no open redirect): the client's
 * `initiate_login_uri` when configured, else the origin of the registered redirect URI the
 * request used (for NocoBase, its home page, which leads to its sign-in page).
 */
import type { BridgeContext } from '../context.js';
import type { AuthRequest } from '../oidc/records.js';

/** The RP's login page for `request`, or undefined when the client is unknown. */
export function startAgainUrl(
  context: Pick<BridgeContext, 'clients'>,
  request: Pick<AuthRequest, 'clientId' | 'redirectUri'>,
): string | undefined {
  const client = context.clients.find(request.clientId);
  if (!client?.redirectUris.includes(request.redirectUri)) return undefined;
  return client.initiateLoginUri ?? `${new URL(request.redirectUri).origin}/`;
}
