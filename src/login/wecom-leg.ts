/**
 * Starting a WeCom leg: every login (from /authorize, a restart after a dead WeCom code, the
 * phone's leg of a QR hand-off) begins here, under a fresh WeCom `state` bound to this browser.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { randomAlnum, sha256 } from '../crypto/secrets.js';
import { bindBrowser } from '../http/cookies.js';
import type { AuthRequest } from '../oidc/records.js';
import { chooseLeg, weComLoginUrl } from '../wecom/login-url.js';
import { setLoginCookie } from './login-cookie.js';
import type { LoginTransaction } from './records.js';

/**
 * Starts the login under a fresh WeCom `state` bound to this browser and returns the WeCom URL.
 * The RP's state, nonce and redirect URI stay here; WeCom only ever sees our random handle.
 */
export async function startWeComLeg(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  authRequest: AuthRequest,
  attempt: number,
): Promise<string> {
  const { config } = context;
  const leg = chooseLeg(config.wecom.loginMode, request.headers['user-agent']);
  const weComState = beginLogin(request, reply, context, { request: authRequest, leg, attempt });
  return weComLoginUrl(config.wecom, config.publicUrl, leg, weComState, webLoginLang(authRequest.uiLocales));
}

/**
 * Starts a login transaction under a fresh WeCom `state`: sealed into a cookie of this browser
 * (login-cookie.ts), bound to it by the binding cookie (set here), for LOGIN_TTL; returns the
 * state. Nothing is stored: an abandoned login costs the bridge nothing. Every WeCom leg starts
 * here, the phone's leg of a QR hand-off included.
 */
export function beginLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  fields: Omit<LoginTransaction, 'bindingHash' | 'createdAt'>,
): string {
  const weComState = randomAlnum();
  const binding = bindBrowser(request, reply, context.cookies, context.config.ttl.login);
  const transaction: LoginTransaction = { ...fields, bindingHash: sha256(binding), createdAt: context.now() };
  setLoginCookie(request, reply, context, sha256(weComState), transaction);
  return weComState;
}

function webLoginLang(uiLocales: string | undefined): 'zh' | 'en' | undefined {
  const first = uiLocales?.split(' ')[0]?.toLowerCase();
  if (first?.startsWith('zh')) return 'zh';
  if (first?.startsWith('en')) return 'en';
  return undefined;
}
