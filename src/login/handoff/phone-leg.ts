/**
 * The phone's WeCom leg of a hand-off: always in-client OAuth with the consent scope
 * (snsapi_privateinfo), bound to the phone's browser like any login, and marked with the
 * hand-off it completes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../../context.js';
import type { AuthRequest } from '../../oidc/records.js';
import { weComLoginUrl } from '../../wecom/login-url.js';
import { beginLogin } from '../wecom-leg.js';

/** Stores the phone's transaction and returns WeCom's in-client authorize URL. */
export async function startHandoffLeg(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  authRequest: AuthRequest,
  handoffId: string,
  attempt: number,
): Promise<string> {
  const { config } = context;
  const weComState = beginLogin(request, reply, context, {
    request: authRequest,
    leg: 'oauth',
    attempt,
    handoff: handoffId,
  });
  return weComLoginUrl({ ...config.wecom, scope: 'snsapi_privateinfo' }, config.publicUrl, 'oauth', weComState);
}
