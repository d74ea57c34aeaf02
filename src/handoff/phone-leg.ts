/**
 * The phone's WeCom leg of a hand-off: always in-client OAuth with the consent scope
 * (snsapi_privateinfo), bound to the phone's browser like any login, and marked with the
 * hand-off it completes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { randomAlnum, sha256 } from '../crypto/secrets.js';
import { bindBrowser } from '../http/cookies.js';
import { keys, type AuthRequest, type LoginTransaction } from '../oidc/records.js';
import { weComLoginUrl } from '../wecom/login-url.js';

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
  const weComState = randomAlnum();
  const binding = bindBrowser(request, reply, context.cookies, config.ttl.login);
  const transaction: LoginTransaction = {
    request: authRequest,
    bindingHash: sha256(binding),
    leg: 'oauth',
    attempt,
    createdAt: context.now(),
    handoff: handoffId,
  };
  await context.store.set(keys.login(weComState), transaction, config.ttl.login);
  return weComLoginUrl({ ...config.wecom, scope: 'snsapi_privateinfo' }, config.publicUrl, 'oauth', weComState);
}
