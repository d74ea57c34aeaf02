/**
 * `GET /wecom/events` (WeCom's URL verification) and `POST /wecom/events` (the encrypted contact
 * events of 接收事件服务器), registered only when WECOM_CALLBACK_TOKEN and _AES_KEY are set.
 *
 * Steps of a POST, each refusing before the next costs anything: the query (single-valued,
 * bounded), the timestamp within {@link MAX_SKEW_SECONDS}, a body of at most 64 KB without
 * DOCTYPE or entity declarations, the `Encrypt` field, the signature (constant time), then
 * decryption (padding, length, corp ID). A valid delivery WeCom repeats (identical signature,
 * timestamp and nonce: it resends when the answer is slow) is remembered for
 * {@link REPEAT_WINDOW_SECONDS} and answered 200 again with nothing done. The work is queued
 * (oidc/offboarding.ts), never done inline, so WeCom gets its answer within milliseconds.
 * A refusal is logged once, with its reason and never the payload.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import { sha256 } from '../crypto/secrets.js';
import { storeKey } from '../store/store.js';
import {
  CallbackCryptoError,
  type CallbackSecrets,
  callbackKey,
  openCallback,
  type SignedQuery,
} from '../wecom/callback-crypto.js';
import { isPlainXml, xmlField } from '../wecom/callback-xml.js';
import { type MemberJobReason, type OffboardingWorker, queueJob } from './offboarding.js';
import { type RawParams, readParams } from './params.js';

/** Largest body accepted (contact events are well under 2 KB). */
export const EVENTS_BODY_LIMIT = 64 * 1024;
/** How far WeCom's timestamp may be from the bridge's clock. */
export const MAX_SKEW_SECONDS = 300;
/** How long a delivery is remembered (WeCom retries within seconds; the skew bounds the rest). */
const REPEAT_WINDOW_SECONDS = 2 * MAX_SKEW_SECONDS;

/** Registers both routes when events are configured (otherwise they do not exist: 404). */
export function registerWeComEvents(app: FastifyInstance, context: BridgeContext, worker: OffboardingWorker): void {
  const events = context.config.events;
  if (!events) return;
  const secrets: CallbackSecrets = {
    token: events.token,
    key: callbackKey(events.aesKey),
    corpId: context.config.wecom.corpId,
  };
  app.register(async (scope) => {
    // Any content type (WeCom sends text/xml; others send application/xml or none): read as text here only.
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: EVENTS_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    scope.get('/wecom/events', { config: { errorMode: 'json' } }, (request, reply) =>
      verifyUrl(request, reply, context, secrets),
    );
    scope.post('/wecom/events', { config: { errorMode: 'json' }, bodyLimit: EVENTS_BODY_LIMIT }, (request, reply) =>
      receiveEvent(request, reply, context, secrets, worker),
    );
  });
}

/** A refusal: 4xx, one log line with the reason, a counter. */
function refuse(request: FastifyRequest, reply: FastifyReply, context: BridgeContext, status: number, reason: string) {
  context.metrics.wecomEvents.labels('unknown', `refused_${reason}`).inc();
  request.log.warn({ event: 'wecom_event_refused', reason }, 'WeCom event refused');
  return reply.code(status).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(reason);
}

function signedQuery(request: FastifyRequest, context: BridgeContext, extra: readonly string[] = []) {
  const p = readParams(request.query as RawParams, ['msg_signature', 'timestamp', 'nonce', ...extra]);
  const { msg_signature: signature, timestamp, nonce } = p;
  if (signature === undefined || timestamp === undefined || nonce === undefined)
    return { problem: 'missing_parameters' };
  if (!/^[0-9a-fA-F]{40}$/.test(signature) || !/^\d{1,12}$/.test(timestamp) || nonce.length > 64)
    return { problem: 'malformed_parameters' };
  if (Math.abs(Number(timestamp) - context.now() / 1000) > MAX_SKEW_SECONDS) return { problem: 'stale_timestamp' };
  return { query: { signature, timestamp, nonce } as SignedQuery, params: p };
}

async function verifyUrl(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  secrets: CallbackSecrets,
) {
  const checked = signedQuery(request, context, ['echostr']);
  if (!checked.query) return refuse(request, reply, context, 400, checked.problem!);
  // Base64 has no spaces: a "+" that arrived unencoded was read as one.
  const echostr = checked.params.echostr?.replaceAll(' ', '+');
  if (echostr === undefined) return refuse(request, reply, context, 400, 'missing_parameters');
  try {
    const plain = openCallback(secrets, checked.query, echostr);
    request.log.info({ audit: 'wecom_url_verified' }, 'WeCom verified the event server URL');
    return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(plain);
  } catch (error) {
    if (error instanceof CallbackCryptoError) return refuse(request, reply, context, 403, error.reason);
    throw error;
  }
}

async function receiveEvent(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  secrets: CallbackSecrets,
  worker: OffboardingWorker,
) {
  const checked = signedQuery(request, context);
  if (!checked.query) return refuse(request, reply, context, 400, checked.problem!);
  const body = request.body;
  if (typeof body !== 'string' || body.length === 0) return refuse(request, reply, context, 400, 'no_xml_body');
  if (!isPlainXml(body)) return refuse(request, reply, context, 400, 'xml_declarations');
  const ciphertext = xmlField(body, 'Encrypt');
  if (ciphertext === undefined) return refuse(request, reply, context, 400, 'no_encrypt_field');
  let xml: string;
  try {
    xml = openCallback(secrets, checked.query, ciphertext);
  } catch (error) {
    if (error instanceof CallbackCryptoError) return refuse(request, reply, context, 403, error.reason);
    throw error;
  }
  if (!isPlainXml(xml)) return refuse(request, reply, context, 400, 'xml_declarations');
  const { signature, timestamp, nonce } = checked.query;
  const deliveryId = sha256(`${signature}\n${timestamp}\n${nonce}`);
  const mark = storeKey('wecom-event', deliveryId);
  if (!(await context.store.claim(mark, { at: context.now() }, REPEAT_WINDOW_SECONDS))) {
    context.metrics.wecomEvents.labels('unknown', 'repeated').inc();
    return ok(reply);
  }
  const event = readEvent(xml);
  context.metrics.wecomEvents.labels(event.change, event.job ? event.job.reason : 'ignored').inc();
  request.log.info(
    {
      audit: 'wecom_event',
      change: event.change,
      ...(event.job ? { userid: event.job.userid, action: event.job.reason } : {}),
    },
    'WeCom contact event',
  );
  if (event.job) {
    if (!(await queueJob(context, `member:${deliveryId}`, { kind: 'member', ...event.job, attempt: 0 }))) {
      // Full: let WeCom send it again later.
      await context.store.delete(mark);
      return refuse(request, reply, context, 503, 'queue_full');
    }
    worker.kick();
  }
  return ok(reply);
}

function ok(reply: FastifyReply) {
  return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('');
}

/** What an event asks for: the change type, and the member job if any. */
interface ReadEvent {
  readonly change: string;
  readonly job?: { readonly userid: string; readonly reason: MemberJobReason };
}

/**
 * `change_contact` events: `delete_user` ends the member; `update_user` with a Status other than 1
 * ends them; with a NewUserID (a renamed userid: the old one, the `sub` relying parties know, no
 * longer exists) the old identity is ended; otherwise WeCom is asked (`user/get`).
 */
export function readEvent(xml: string): ReadEvent {
  if (xmlField(xml, 'MsgType') !== 'event' || xmlField(xml, 'Event') !== 'change_contact') return { change: 'other' };
  const change = xmlField(xml, 'ChangeType') ?? 'unknown';
  const userid = xmlField(xml, 'UserID');
  if (userid === undefined || !/^[A-Za-z0-9_.@-]{1,64}$/.test(userid))
    return { change: change === 'delete_user' || change === 'update_user' ? change : 'other' };
  if (change === 'delete_user') return { change, job: { userid, reason: 'deleted' } };
  if (change !== 'update_user') return { change: 'other' };
  const status = xmlField(xml, 'Status');
  const renamed = xmlField(xml, 'NewUserID');
  if (status !== undefined && status !== '1') return { change, job: { userid, reason: 'disabled' } };
  if (renamed !== undefined && renamed !== userid) return { change, job: { userid, reason: 'renamed' } };
  return { change, job: { userid, reason: 'recheck' } };
}
