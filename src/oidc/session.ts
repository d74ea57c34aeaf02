/**
 * The bridge's SSO session: created after every successful WeCom login (always a new `sid` and a
 * new cookie value, so no session fixation), referenced by an HttpOnly cookie, stored
 * server-side for SESSION_TTL. It lets `prompt=none` and later logins skip the WeCom round trip.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';
import { readCookie, setSessionCookie } from '../http/cookies.js';
import type { WeComUser } from '../wecom/identity.js';
import { missingRequiredClaims, subjectOf, type ClaimsSettings } from './claims.js';
import { keys, type AuthRequest, type SessionRecord } from './records.js';

/** The session this browser presents, if any and still stored. */
export async function currentSession(request: FastifyRequest, context: BridgeContext): Promise<SessionRecord | undefined> {
  if (context.config.ttl.session === 0) return undefined;
  const cookie = readCookie(request, context.cookies.sessionName);
  return cookie === undefined ? undefined : context.store.get<SessionRecord>(keys.session(cookie));
}

/**
 * Whether `session` satisfies the request without re-authentication: no prompt that demands
 * interaction, within `max_age` (so `max_age=0` never is), the subject the id_token_hint names,
 * and every REQUIRE_CLAIMS value (a session may predate that setting).
 */
export function sessionSatisfies(session: SessionRecord, request: AuthRequest, nowSeconds: number, settings: ClaimsSettings): boolean {
  if (request.prompt.some((value) => value !== 'none')) return false;
  // ">=": auth_time has whole-second precision, so an age equal to max_age may really exceed it.
  if (request.maxAge !== undefined && nowSeconds - session.authTime >= request.maxAge) return false;
  if (request.hintSub !== undefined && request.hintSub !== subjectOf(settings, session.user.userid)) return false;
  return missingRequiredClaims(session.user, settings).length === 0;
}

/**
 * Starts a new session for `user` (replacing the browser's previous one) and sets its cookie.
 * @returns the session; with SESSION_TTL=0 a session that lives only for this login.
 */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  user: WeComUser,
  authTime: number,
): Promise<SessionRecord> {
  const session: SessionRecord = { sid: randomSecret(16), user, authTime };
  const ttl = context.config.ttl.session;
  if (ttl === 0) return session;
  const previous = readCookie(request, context.cookies.sessionName);
  if (previous !== undefined) await context.store.delete(keys.session(previous));
  const cookie = randomSecret();
  await context.store.set(keys.session(cookie), session, ttl);
  setSessionCookie(reply, context.cookies, cookie, ttl);
  return session;
}
