/**
 * Starting a QR hand-off from a desktop login that lacks a REQUIRE_CLAIMS value.
 *
 * WeCom gives phone numbers and email addresses only after a consent inside the WeCom app
 * (snsapi_privateinfo); a desktop web login yields a userid only. So instead of a code, the
 * desktop gets a page with a QR code; WeCom on the phone runs the consent for this same login,
 * and the desktop page continues by itself.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequiredClaim } from '../../config/types.js';
import type { BridgeContext } from '../../context.js';
import { randomSecret } from '../../crypto/secrets.js';
import { bindBrowser } from '../../http/cookies.js';
import type { WeComUser } from '../../wecom/identity.js';
import type { LoginTransaction } from '../records.js';
import { type HandoffRecord, handleId, handoffKeys, type ScanIndex, scanTokenOf } from './records.js';

/** Stores the hand-off and returns the URL of the desktop's waiting page. */
export async function startHandoff(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  transaction: LoginTransaction,
  user: WeComUser,
  missing: readonly RequiredClaim[],
): Promise<string> {
  const ttl = context.config.firstLogin.handoffTtl;
  const handle = randomSecret();
  const id = handleId(handle);
  const record: HandoffRecord = {
    request: transaction.request,
    bindingHash: transaction.bindingHash,
    userid: user.userid,
    missing,
    status: 'pending',
    expiresAt: context.now() + ttl * 1000,
  };
  await context.store.set(handoffKeys.record(id), record, ttl);
  const index: ScanIndex = { handoff: id };
  await context.store.set(handoffKeys.scan(scanTokenOf(handle)), index, ttl);
  // The binding cookie must outlive the wait (it was set for LOGIN_TTL at /authorize).
  bindBrowser(request, reply, context.cookies, Math.max(ttl, context.config.ttl.login));
  return handoffUrls(context.config.publicUrl, handle).page;
}

/** The hand-off's URLs (absolute, from PUBLIC_URL). */
export function handoffUrls(
  publicUrl: string,
  handle: string,
): { page: string; status: string; continue: string; scan: string } {
  const h = encodeURIComponent(handle);
  return {
    page: `${publicUrl}/handoff?h=${h}`,
    status: `${publicUrl}/handoff/status?h=${h}`,
    continue: `${publicUrl}/handoff/continue?h=${h}`,
    scan: `${publicUrl}/handoff/scan?s=${encodeURIComponent(scanTokenOf(handle))}`,
  };
}
