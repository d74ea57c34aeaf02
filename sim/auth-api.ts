/**
 * The login-related server APIs: gettoken, auth/getuserinfo (code → userid or openid) and
 * auth/getuserdetail (user_ticket → consented profile), with WeCom's checks in WeCom's order.
 */
import { createHash } from 'node:crypto';
import { type ApiCall, param } from './api-call.js';
import { DEFAULT_AVATAR, type SimMember } from './directory.js';
import { type Answer, okAnswer, WeComError } from './errors.js';
import type { SimState } from './state.js';

/** `GET /cgi-bin/gettoken?corpid&corpsecret`: 41002 → 41004 → 40013 → 40001, else the token. */
export function getToken(state: SimState, call: ApiCall): Answer {
  const corpid = param(call, 'corpid');
  const secret = param(call, 'corpsecret');
  if (!corpid) throw new WeComError(41002);
  if (!secret) throw new WeComError(41004);
  if (corpid !== state.config.corpId) throw new WeComError(40013);
  if (secret !== state.config.secret) throw new WeComError(40001);
  const { token, expiresIn } = state.issueToken();
  return okAnswer({ access_token: token, expires_in: expiresIn });
}

/**
 * `GET /cgi-bin/auth/getuserinfo?access_token&code`: a member's `userid` (plus `user_ticket` for an
 * in-client privateinfo login of a visible member) or an outsider's `openid` + `external_userid`.
 */
export function getUserInfo(state: SimState, call: ApiCall): Answer {
  const code = param(call, 'code');
  if (!code) throw new WeComError(41008);
  const entry = state.findCode(code);
  if (!entry) throw new WeComError(40029);
  const { trustedDomains } = state.config;
  if (trustedDomains.length > 0 && !trustedDomains.includes(entry.redirectHost)) throw new WeComError(50001);
  state.burnCode(code);
  if (entry.nonMember) return okAnswer(outsiderIds(state.config.corpId, entry.userid));
  const member = state.findMember(entry.userid);
  const withTicket = entry.scope === 'snsapi_privateinfo' && member !== undefined && member.visible !== false;
  return okAnswer({
    userid: member?.userid ?? entry.userid,
    ...(withTicket ? { user_ticket: state.mintTicket(member.userid, entry.consent) } : {}),
  });
}

/**
 * `POST /cgi-bin/auth/getuserdetail?access_token` with `{"user_ticket"}`: the fields the member
 * has and consented to share; never `name` (that comes from user/get).
 */
export function getUserDetail(state: SimState, call: ApiCall): Answer {
  const ticket = ticketFrom(call.body);
  if (!ticket) throw new WeComError(84090);
  const entry = state.readTicket(ticket);
  if (typeof entry === 'number') throw new WeComError(entry);
  const member = state.findMember(entry.userid);
  if (!member || member.nonMember) throw new WeComError(60111);
  if (member.visible === false) throw new WeComError(60011);
  // A member who declined sharing gets WeCom's defaults, not an error.
  if (!entry.consent) return okAnswer({ userid: member.userid, gender: '0', avatar: DEFAULT_AVATAR });
  return okAnswer({
    userid: member.userid,
    gender: member.gender ?? '0',
    avatar: member.avatar ?? DEFAULT_AVATAR,
    qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=${digest(member.userid).slice(0, 16)}`,
    ...contactFields(member),
  });
}

/** The member's mobile, email and biz_mail, only those set (WeCom omits what is not there). */
export function contactFields(member: SimMember): Answer {
  const fields: Answer = {};
  if (member.mobile) fields.mobile = member.mobile;
  if (member.email) fields.email = member.email;
  if (member.biz_mail) fields.biz_mail = member.biz_mail;
  return fields;
}

/** The ticket in a JSON body; unparseable JSON is 47001, as in WeCom. */
function ticketFrom(body: string | undefined): string | undefined {
  if (body === undefined || body.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new WeComError(47001);
  }
  const ticket = (parsed as { user_ticket?: unknown } | null)?.user_ticket;
  return typeof ticket === 'string' && ticket !== '' ? ticket : undefined;
}

/** Stable outsider ids, e.g. openid `oOUTSIDER3f2a…`: the same person gets the same ids every time. */
function outsiderIds(corpId: string, userid: string): Answer {
  const hash = digest(`${corpId}/${userid}`);
  const tag = userid.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return { openid: `o${tag}${hash.slice(0, 16)}`, external_userid: `wm${hash.slice(16, 46)}` };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
