/**
 * WeCom's error answers: HTTP 200 with `{errcode, errmsg}`, where errmsg carries WeCom's suffix
 * (a hint id, the caller's IP and a lookup URL). Clients must branch on errcode only; the realistic
 * suffix keeps them honest (and lets the bridge read the egress IP from 60020).
 */
import { randomBytes, randomInt } from 'node:crypto';

/** A JSON answer of the server API. */
export type Answer = Record<string, unknown>;

/** WeCom's English errmsg text per errcode (the part before the suffix). */
const MESSAGES: Readonly<Record<number, string>> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40003: 'invalid userid',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40056: 'invalid agentid',
  40058: 'invalid Request Parameter',
  40091: 'secret is invalid',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  47001: 'data format error',
  48001: 'api unauthorized',
  48002: 'api forbidden',
  50001: 'redirect_url not authorised',
  50003: 'application is disabled',
  60011: 'no privilege to access/modify contact/party/agent',
  60020: 'not allow to access from your ip',
  60111: 'userid not found',
  60123: 'invalid party id',
  84014: 'invalid user ticket, user ticket expired',
  84015: 'invalid user ticket',
  84090: 'missing user ticket',
};

/** Thrown by handlers to answer with an errcode. */
export class WeComError extends Error {
  /** @param errcode WeCom's error code */
  constructor(readonly errcode: number) {
    super(`WeCom errcode ${errcode}`);
  }
}

/**
 * WeCom's error answer, e.g. `invalid code, hint: [1700000000_12_3f…], from ip: 127.0.0.1, more info
 * at https://open.work.weixin.qq.com/devtool/query?e=40029`.
 *
 * @param ip the caller's address as WeCom saw it
 * @param nowMs simulated time, for the hint's timestamp
 */
export function errorAnswer(errcode: number, ip: string, nowMs: number): Answer {
  const hint = `${Math.floor(nowMs / 1000)}_${randomInt(10, 100)}_${randomBytes(16).toString('hex')}`;
  const text = MESSAGES[errcode] ?? 'unknown error';
  return {
    errcode,
    errmsg: `${text}, hint: [${hint}], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  };
}

/** A success answer: `errcode` 0 and `errmsg` "ok" first, as WeCom orders them. */
export function okAnswer(fields: Answer): Answer {
  return { errcode: 0, errmsg: 'ok', ...fields };
}
