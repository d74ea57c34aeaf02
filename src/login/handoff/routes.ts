/**
 * The hand-off's routes (paths relative to PUBLIC_URL):
 *
 * - `GET /handoff?h=` (desktop): the waiting page, or why the hand-off failed.
 * - `GET /handoff/status?h=` (desktop, polled): `{"status": pending|scanned|done|failed|expired}`.
 * - `GET /handoff/continue?h=` (desktop): once `done`, takes the hand-off (once) and answers the
 *   relying party with a code, exactly as a login would.
 * - `GET /handoff/scan?s=` (phone, the QR code): runs WeCom's in-client consent for the same
 *   pending login. Opening it uses nothing up: anyone who sees the code can open it, so the
 *   hand-off is used only when the phone's login turns out to be the desktop's member (phone.ts).
 *
 * Every desktop route requires the browser-binding cookie of the login that started the hand-off:
 * the handle in the URL alone (history, shoulder surfing) opens nothing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type BridgeContext, epochSeconds } from '../../context.js';
import { safeEqual, sha256 } from '../../crypto/secrets.js';
import { accessDenied, BridgeError } from '../../errors/bridge-error.js';
import { readCookie } from '../../http/cookies.js';
import { sendPage } from '../../http/security-headers.js';
import { issueCodeRedirect } from '../../oidc/codes.js';
import { errorRedirectUrl, redirectBrowser } from '../../oidc/redirect.js';
import { startSession } from '../../oidc/session.js';
import { hintFacts } from '../../pages/admin-hints.js';
import { renderErrorPage } from '../../pages/error-page.js';
import { POLL_SCRIPT_HASH, renderWaitingPage } from '../../pages/handoff.js';
import { pageLang } from '../login-failure.js';
import { startAgainUrl } from '../start-again.js';
import { handoffGone, handoffUsed } from './phone.js';
import { startHandoffLeg } from './phone-leg.js';
import { type HandoffRecord, handleId, handoffKeys, handoffOpen, type ScanIndex, updateHandoff } from './records.js';
import { handoffUrls } from './start.js';

/** Handles and scan tokens: 256-bit base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Registers the hand-off routes. */
export function registerHandoff(app: FastifyInstance, context: BridgeContext): void {
  app.get('/handoff', { config: { errorMode: 'page' } }, (request, reply) => waitingPage(request, reply, context));
  app.get('/handoff/status', { config: { errorMode: 'json' } }, (request, reply) => status(request, reply, context));
  app.get('/handoff/continue', { config: { errorMode: 'page' } }, (request, reply) =>
    continueLogin(request, reply, context),
  );
  app.get('/handoff/scan', { config: { errorMode: 'page' } }, (request, reply) => scan(request, reply, context));
}

async function waitingPage(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
): Promise<FastifyReply> {
  const { handle, id, record } = await desktopRecord(request, context);
  if (record.status === 'failed') return failurePage(request, reply, context, record);
  const urls = handoffUrls(context.config.publicUrl, handle);
  const html = await renderWaitingPage({
    lang: pageLang(request, record),
    requestId: request.id,
    status: record.status,
    missing: record.missing,
    urls,
    profileDays: Math.floor(context.config.firstLogin.profileTtl / 86_400),
    validMinutes: Math.max(1, Math.round((record.expiresAt - context.now()) / 60_000)),
    cancelUrl: errorRedirectUrl(record.request.redirectUri, cancelled(), record.request.state),
    expiredUrl: errorRedirectUrl(record.request.redirectUri, expired(), record.request.state),
  });
  request.log.debug({ handoff: id.slice(0, 8), status: record.status }, 'hand-off page');
  return sendPage(reply, 200, html, [POLL_SCRIPT_HASH]);
}

async function status(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store');
  const handle = queryToken(request, 'h');
  const record =
    handle === undefined ? undefined : await context.store.get<HandoffRecord>(handoffKeys.record(handleId(handle)));
  if (!record) return reply.send({ status: 'expired' });
  if (!boundToThisBrowser(request, context, record)) return reply.code(403).send({ status: 'forbidden' });
  return reply.send({ status: record.status });
}

async function continueLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
): Promise<FastifyReply> {
  const { handle, id, record } = await desktopRecord(request, context);
  if (record.status === 'failed') return failurePage(request, reply, context, record);
  if (record.status !== 'done')
    return redirectBrowser(reply, 'GET', handoffUrls(context.config.publicUrl, handle).page);
  // Single use: of two concurrent continues, one takes the record; the other finds nothing.
  const taken = await context.store.take<HandoffRecord>(handoffKeys.record(id));
  if (taken?.status !== 'done' || !taken.user) throw handoffGone();
  const session = await startSession(request, reply, context, taken.user, epochSeconds(context));
  const location = await issueCodeRedirect(context, taken.request, session.record);
  context.metrics.logins.labels('success', 'handoff', 'qr').inc();
  request.log.info(
    { userid: taken.user.userid, client: taken.request.clientId, leg: 'qr' },
    'login succeeded after the hand-off',
  );
  return redirectBrowser(reply, 'GET', location);
}

async function scan(request: FastifyRequest, reply: FastifyReply, context: BridgeContext): Promise<FastifyReply> {
  const token = queryToken(request, 's');
  if (token === undefined) throw handoffGone();
  // Only WeCom's in-app browser can run the in-client consent; a camera app would burn the code.
  if (!/wxwork/i.test(request.headers['user-agent'] ?? ''))
    throw pageError(400, 'handoff_wrong_client', 'Scan this code with the WeCom app');
  const index = await context.store.get<ScanIndex>(handoffKeys.scan(token));
  const record =
    index === undefined ? undefined : await context.store.get<HandoffRecord>(handoffKeys.record(index.handoff));
  if (!index || !record) throw handoffGone();
  if (!handoffOpen(record)) throw handoffUsed();
  // Only what the desktop page shows ("scanned: confirm on your phone"); nothing is used up yet.
  if (record.status === 'pending')
    await updateHandoff(context.store, index.handoff, record, { status: 'scanned' }, context.now());
  request.log.info({ client: record.request.clientId }, 'hand-off code opened on the phone');
  return redirectBrowser(
    reply,
    'GET',
    await startHandoffLeg(request, reply, context, record.request, index.handoff, 1),
  );
}

/** The desktop's record: exists and belongs to this browser, else a page error. */
async function desktopRecord(
  request: FastifyRequest,
  context: BridgeContext,
): Promise<{ handle: string; id: string; record: HandoffRecord }> {
  const handle = queryToken(request, 'h');
  if (handle === undefined) throw handoffGone();
  const id = handleId(handle);
  const record = await context.store.get<HandoffRecord>(handoffKeys.record(id));
  if (!record) throw handoffGone();
  if (!boundToThisBrowser(request, context, record))
    throw pageError(403, 'browser_mismatch', 'This sign-in was started in another browser');
  return { handle, id, record };
}

function boundToThisBrowser(request: FastifyRequest, context: BridgeContext, record: HandoffRecord): boolean {
  const binding = readCookie(request, context.cookies.bindingName);
  return binding !== undefined && safeEqual(sha256(binding), record.bindingHash);
}

/** A failed hand-off on the desktop: why, a link carrying the error to the RP, and "start again". */
function failurePage(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  record: HandoffRecord,
): FastifyReply {
  const failure = record.failure ?? { code: 'access_denied' as const, reason: 'access_denied' };
  const error = new BridgeError({
    code: failure.code,
    status: 403,
    reason: failure.reason,
    description: 'The hand-off to the phone failed',
  });
  const start = startAgainUrl(context, record.request);
  const html = renderErrorPage(error, {
    lang: pageLang(request, record),
    requestId: request.id,
    returnUrl: errorRedirectUrl(record.request.redirectUri, error, record.request.state),
    ...(start === undefined ? {} : { startAgainUrl: start }),
    facts: hintFacts(context.config.publicUrl, context.config.wecom.corpId),
  });
  return sendPage(reply, 403, html);
}

function cancelled(): BridgeError {
  return accessDenied('The sign-in was cancelled on the hand-off page', 'handoff_cancelled');
}

function expired(): BridgeError {
  return accessDenied('The QR hand-off expired before the phone completed it; sign in again', 'handoff_expired');
}

function queryToken(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && TOKEN.test(value) ? value : undefined;
}

function pageError(status: number, reason: string, description: string): BridgeError {
  return new BridgeError({ code: 'invalid_request', status, reason, description });
}
