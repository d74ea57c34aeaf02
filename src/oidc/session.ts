/**
 * The bridge's SSO session: created after every successful WeCom login (always a new `sid` and a
 * new cookie value, so no session fixation), referenced by an HttpOnly cookie, stored
 * server-side for SESSION_TTL. It lets `prompt=none` and later logins skip the WeCom round trip.
 * Logout ends it: the record goes, the cookie expires, and its `sid` is marked so that the
 * refresh tokens issued in it stop working.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { randomSecret } from '../crypto/secrets.js';
import { clearSessionCookie, readCookie, setSessionCookie } from '../http/cookies.js';
import type { StoreWrite } from '../store/store.js';
import type { WeComUser } from '../wecom/identity.js';
import { type ClaimsSettings, missingRequiredClaims, subjectOf } from './claims.js';
import { indexSession } from './member-index.js';
import { type AuthRequest, keys, type SessionRecord } from './records.js';

/** A session just started, and the cookie value that references it (none when sessions are off). */
export interface StartedSession {
  readonly record: SessionRecord;
  readonly cookie?: { readonly value: string; readonly maxAge: number };
}

/** The session this browser presents, if any and still stored. */
export async function currentSession(
  request: FastifyRequest,
  context: BridgeContext,
): Promise<SessionRecord | undefined> {
  if (context.config.ttl.session === 0) return undefined;
  const cookie = readCookie(request, context.cookies.sessionName);
  return cookie === undefined ? undefined : context.store.get<SessionRecord>(keys.session(cookie));
}

/**
 * Whether `session` satisfies the request without re-authentication: no prompt that demands
 * interaction, within `max_age` (so `max_age=0` never is), the subject the id_token_hint names,
 * and every REQUIRE_CLAIMS value (a session may predate that setting).
 */
export function sessionSatisfies(
  session: SessionRecord,
  request: AuthRequest,
  nowSeconds: number,
  settings: ClaimsSettings,
): boolean {
  if (request.prompt.some((value) => value !== 'none')) return false;
  // ">=": auth_time has whole-second precision, so an age equal to max_age may really exceed it.
  if (request.maxAge !== undefined && nowSeconds - session.authTime >= request.maxAge) return false;
  if (request.hintSub !== undefined && request.hintSub !== subjectOf(settings, session.user.userid)) return false;
  return missingRequiredClaims(session.user, settings).length === 0;
}

/**
 * Starts a new session for `user` (replacing the browser's previous one) and sets its cookie.
 * With SESSION_TTL=0 the session lives only for this login and no cookie is set.
 */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  user: WeComUser,
  authTime: number,
): Promise<StartedSession> {
  const session = newSession(context, user, authTime);
  await saveSession(request, reply, context, session);
  return session;
}

/**
 * A new session for `user`: always a new `sid` and a new cookie value (no session fixation).
 * Nothing is stored yet: {@link saveSession} does, possibly together with other writes.
 */
export function newSession(context: BridgeContext, user: WeComUser, authTime: number): StartedSession {
  const record: SessionRecord = { sid: randomSecret(16), user, authTime };
  const ttl = context.config.ttl.session;
  return ttl === 0 ? { record } : { record, cookie: { value: randomSecret(), maxAge: ttl } };
}

/**
 * Stores `session` and `alsoWrite` in one store round trip, drops the browser's previous session
 * and sets the cookie. (The callback stores its code and its result this way.)
 */
export async function saveSession(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  session: StartedSession,
  alsoWrite: readonly StoreWrite[] = [],
): Promise<void> {
  const { cookie } = session;
  if (!cookie) {
    await context.store.setMany(alsoWrite);
    return;
  }
  const previous = readCookie(request, context.cookies.sessionName);
  if (previous !== undefined) await context.store.delete(keys.session(previous));
  // Issued together, the session and its member-index entry share one store round trip, in this order.
  await Promise.all([
    context.store.setMany([
      { key: keys.session(cookie.value), value: session.record, ttlSeconds: cookie.maxAge },
      ...alsoWrite,
    ]),
    indexSession(context, session.record, keys.session(cookie.value), cookie.maxAge),
  ]);
  setSessionCookie(reply, context.cookies, cookie.value, cookie.maxAge);
}

/**
 * Ends the browser's own session, if any: removes the record, expires the cookie, and revokes
 * the refresh tokens issued in it. Only the session this browser's cookie names: a session known
 * from an id_token_hint alone may be someone else's (ID tokens travel in URLs).
 * @returns the ended session, if there was one.
 */
export async function endSession(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
): Promise<SessionRecord | undefined> {
  const cookie = readCookie(request, context.cookies.sessionName);
  clearSessionCookie(reply, context.cookies);
  const session = cookie === undefined ? undefined : await context.store.take<SessionRecord>(keys.session(cookie));
  if (session)
    await context.store.set(keys.revokedSid(session.sid), { at: context.now() }, context.config.ttl.refreshToken);
  return session;
}
