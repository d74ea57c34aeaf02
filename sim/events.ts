/**
 * The corp's contact-change events, sent as WeCom sends them to an app's event server
 * (接收事件服务器): the event XML encrypted and signed (callback-crypto.ts), POSTed to the
 * configured URL with `msg_signature`, `timestamp` and `nonce` in the query; and the URL
 * verification WeCom runs when an administrator saves the server's settings (GET with an
 * encrypted `echostr`; the server must answer its plaintext, nothing else).
 */
import { randomInt } from 'node:crypto';
import { callbackSignature, encryptMessage } from './callback-crypto.js';

/** Where events go: the event server's URL, Token and EncodingAESKey (as set in WeCom's console). */
export interface EventTarget {
  readonly url: string;
  readonly token: string;
  readonly encodingAesKey: string;
}

/** A contact change (`change_contact`) of one member. */
export interface ContactChange {
  readonly changeType: 'create_user' | 'update_user' | 'delete_user';
  readonly userid: string;
  /** 1 active, 2 disabled, 4 not activated, 5 left; update_user carries it only when it changed. */
  readonly status?: number;
}

/** One signed, encrypted request as WeCom sends it (kept so that it can be resent identically). */
export interface EventDelivery {
  readonly url: string;
  readonly body: string;
}

/** What the event server answered. */
export interface EventAnswer {
  readonly status: number;
  readonly body: string;
}

/** The event's plaintext XML (the inner message). */
export function contactChangeXml(corpId: string, change: ContactChange, createTime: number): string {
  const status = change.status === undefined ? '' : `<Status>${change.status}</Status>`;
  return (
    `<xml><ToUserName><![CDATA[${cdata(corpId)}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[${change.changeType}]]></ChangeType>` +
    `<UserID><![CDATA[${cdata(change.userid)}]]></UserID>${status}</xml>`
  );
}

/** The request that carries `message` to `target`: encrypted envelope and signed query. */
export function eventDelivery(
  target: EventTarget,
  corpId: string,
  agentId: string,
  message: string,
  timestamp: number,
  nonce: string = String(randomInt(1e9, 1e10)),
): EventDelivery {
  const encrypted = encryptMessage(target.encodingAesKey, message, corpId);
  const url = new URL(target.url);
  url.searchParams.set('msg_signature', callbackSignature(target.token, String(timestamp), nonce, encrypted));
  url.searchParams.set('timestamp', String(timestamp));
  url.searchParams.set('nonce', nonce);
  const body =
    `<xml><ToUserName><![CDATA[${cdata(corpId)}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt>` +
    `<AgentID><![CDATA[${cdata(agentId)}]]></AgentID></xml>`;
  return { url: url.href, body };
}

/** POSTs one delivery as WeCom does (text/xml); WeCom waits 5 seconds for the answer. */
export async function deliver(delivery: EventDelivery): Promise<EventAnswer> {
  const response = await fetch(delivery.url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', 'user-agent': 'Mozilla/4.0' },
    body: delivery.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: await response.text() };
}

/** The URL verification's outcome: passed only when the server answered 200 with the plaintext. */
export interface VerificationResult {
  readonly ok: boolean;
  readonly status: number;
  readonly body: string;
  /** The plaintext the server had to answer. */
  readonly expected: string;
}

/**
 * WeCom's check of an event server: `GET <url>?msg_signature&timestamp&nonce&echostr` with a
 * random number encrypted as `echostr`; it passes when the answer is exactly that number.
 */
export async function verifyEventUrl(
  target: EventTarget,
  corpId: string,
  timestamp: number,
  nonce: string = String(randomInt(1e9, 1e10)),
): Promise<VerificationResult> {
  const expected = `${randomInt(1e9, 1e10)}${randomInt(1e8, 1e9)}`;
  const echostr = encryptMessage(target.encodingAesKey, expected, corpId);
  const url = new URL(target.url);
  url.searchParams.set('msg_signature', callbackSignature(target.token, String(timestamp), nonce, echostr));
  url.searchParams.set('timestamp', String(timestamp));
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('echostr', echostr);
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
  const body = await response.text();
  return { ok: response.status === 200 && body === expected, status: response.status, body, expected };
}

/** A value inside CDATA: a `]]>` in it would end the section early. */
function cdata(value: string): string {
  return value.replaceAll(']]>', ']]]]><![CDATA[>');
}
