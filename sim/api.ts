/**
 * The simulated WeCom server API (`/cgi-bin/*`), with WeCom's JSON shapes and error codes:
 * HTTP 200 with `errcode`/`errmsg` for every business error, lowercase keys on `auth/*`,
 * access_token only from the query, trusted-IP enforcement on data APIs.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_AVATAR, type SimMember } from './directory.js';
import type { SimApi, SimState } from './state.js';

type Answer = Record<string, unknown>;
type Handler = (request: FastifyRequest) => Answer;

const MESSAGES: Record<number, string> = {
  40001: 'invalid credential',
  40003: 'invalid userid',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40058: 'invalid Request Parameter',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  48001: 'api unauthorized',
  50001: 'redirect_url not authorised',
  60011: 'no privilege to access/modify contact/party/agent',
  60020: 'not allow to access from your ip',
  60111: 'userid not found',
  60123: 'invalid party id',
  84014: 'invalid user ticket, user ticket expired',
  84015: 'invalid user ticket',
  84090: 'missing user ticket',
};

/** WeCom's error answer, with the real `errmsg` suffix (hint, source IP, lookup URL). */
export function errorAnswer(errcode: number, ip: string): Answer {
  const hint = `${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const text = MESSAGES[errcode] ?? 'system error';
  return {
    errcode,
    errmsg: `${text}, hint: [${hint}], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  };
}

/** Thrown inside handlers to answer with an errcode. */
class WeComFault extends Error {
  constructor(readonly errcode: number) {
    super(`errcode ${errcode}`);
  }
}

/** Registers the server APIs. */
export function registerApi(app: FastifyInstance, state: SimState): void {
  const route = (method: 'GET' | 'POST', path: string, api: SimApi, handler: Handler) =>
    app.all(path, (request, reply) => serve(state, method, api, handler, request, reply));

  route('GET', '/cgi-bin/gettoken', 'gettoken', (request) => getToken(state, query(request)));
  route('GET', '/cgi-bin/auth/getuserinfo', 'getuserinfo', (request) => getUserInfo(state, query(request)));
  route('POST', '/cgi-bin/auth/getuserdetail', 'getuserdetail', (request) => getUserDetail(state, request.body));
  route('GET', '/cgi-bin/user/get', 'userget', (request) => getUser(state, query(request)));
  route('GET', '/cgi-bin/department/list', 'department', (request) => listDepartments(state, query(request), true));
  route('GET', '/cgi-bin/department/simplelist', 'department', (request) => listDepartments(state, query(request), false));
  app.all('/cgi-bin/*', async (request) => errorAnswer(48001, request.ip));
}

async function serve(state: SimState, method: string, api: SimApi, handler: Handler, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  if (state.config.latencyMs > 0) await sleep(state.config.latencyMs);
  state.calls[api] += 1;
  const fault = state.takeFault(api);
  if (fault?.hangMs) await sleep(fault.hangMs);
  if (fault?.status) return reply.code(fault.status).type('text/html').send(`<html><body>${fault.status}</body></html>`);
  if (fault?.errcode !== undefined) return errorAnswer(fault.errcode, request.ip);
  if (request.method !== method) return errorAnswer(40058, request.ip);
  try {
    if (api !== 'gettoken') checkAccess(state, request);
    return handler(request);
  } catch (error) {
    if (error instanceof WeComFault) return errorAnswer(error.errcode, request.ip);
    throw error;
  }
}

function checkAccess(state: SimState, request: FastifyRequest): void {
  // The token is read from the query only: in a body it does not count (41001), as in WeCom.
  const tokenError = state.checkToken(text(query(request).access_token));
  if (tokenError !== 0) throw new WeComFault(tokenError);
  const { trustedIps } = state.config;
  if (trustedIps.length > 0 && !trustedIps.includes(request.ip)) throw new WeComFault(60020);
}

function getToken(state: SimState, q: Answer): Answer {
  const corpid = text(q.corpid);
  const secret = text(q.corpsecret);
  if (!corpid) throw new WeComFault(41002);
  if (!secret) throw new WeComFault(41004);
  if (corpid !== state.config.corpId) throw new WeComFault(40013);
  if (secret !== state.config.secret) throw new WeComFault(40001);
  const { token, expiresIn } = state.issueToken();
  return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: expiresIn };
}

function getUserInfo(state: SimState, q: Answer): Answer {
  const code = text(q.code);
  if (!code) throw new WeComFault(41008);
  const entry = state.findCode(code);
  if (!entry) throw new WeComFault(40029);
  const { trustedDomains } = state.config;
  if (trustedDomains.length > 0 && !trustedDomains.includes(entry.redirectHost)) throw new WeComFault(50001);
  entry.used = true;
  if (entry.nonMember) {
    return { errcode: 0, errmsg: 'ok', openid: `oOUTSIDER${entry.userid.length}x`, external_userid: `wmOUTSIDER${entry.userid.length}x` };
  }
  const member = state.findMember(entry.userid);
  const ticket = entry.scope === 'snsapi_privateinfo' && member?.visible !== false;
  return {
    errcode: 0,
    errmsg: 'ok',
    userid: member?.userid ?? entry.userid,
    ...(ticket ? { user_ticket: state.mintTicket(entry.userid, entry.consent) } : {}),
  };
}

function getUserDetail(state: SimState, body: unknown): Answer {
  const ticket = text((body as Answer | undefined)?.user_ticket);
  if (!ticket) throw new WeComFault(84090);
  const entry = state.readTicket(ticket);
  if (typeof entry === 'number') throw new WeComFault(entry);
  const member = state.findMember(entry.userid);
  if (!member) throw new WeComFault(60111);
  if (!entry.consent) return { errcode: 0, errmsg: 'ok', userid: member.userid, gender: '0', avatar: DEFAULT_AVATAR };
  return {
    errcode: 0,
    errmsg: 'ok',
    userid: member.userid,
    gender: member.gender ?? '0',
    avatar: member.avatar ?? DEFAULT_AVATAR,
    qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=${member.userid.length}`,
    ...pick(member, ['mobile', 'email', 'biz_mail']),
  };
}

function getUser(state: SimState, q: Answer): Answer {
  const userid = text(q.userid);
  if (!userid || !/^[A-Za-z0-9_@.\-/]{1,64}$/.test(userid)) throw new WeComFault(40003);
  const member = state.findMember(userid);
  if (!member || member.nonMember || member.status === 5) throw new WeComFault(60111);
  if (member.visible === false) throw new WeComFault(60011);
  return {
    errcode: 0,
    errmsg: 'ok',
    userid: member.userid,
    name: member.name,
    department: [...member.department],
    order: member.department.map(() => 0),
    position: member.position ?? '',
    status: member.status,
    isleader: 0,
    is_leader_in_dept: member.department.map(() => 0),
    enable: member.status === 2 ? 0 : 1,
    hide_mobile: 0,
    alias: member.alias ?? '',
    telephone: '',
    extattr: { attrs: [] },
    ...(member.main_department === undefined ? {} : { main_department: member.main_department }),
    ...(state.config.appCreatedAfter2022 ? {} : restrictedFields(member)),
  };
}

/** Fields apps created before 2022-06-20 still read from user/get. */
function restrictedFields(member: SimMember): Answer {
  return { gender: member.gender ?? '0', avatar: member.avatar ?? DEFAULT_AVATAR, ...pick(member, ['mobile', 'email', 'biz_mail']) };
}

function listDepartments(state: SimState, q: Answer, withNames: boolean): Answer {
  const root = text(q.id) === undefined ? undefined : Number(q.id);
  if (root !== undefined && !state.departments.some((d) => d.id === root)) throw new WeComFault(60123);
  const inTree = (id: number): boolean => {
    if (root === undefined || id === root) return true;
    const department = state.departments.find((d) => d.id === id);
    return department !== undefined && department.parentid !== 0 && inTree(department.parentid);
  };
  const list = state.departments.filter((d) => inTree(d.id));
  return withNames
    ? { errcode: 0, errmsg: 'ok', department: list.map((d) => ({ id: d.id, name: d.name, name_en: d.name_en, parentid: d.parentid, order: d.order, department_leader: [] })) }
    : { errcode: 0, errmsg: 'ok', department_id: list.map((d) => ({ id: d.id, parentid: d.parentid, order: d.order })) };
}

function pick(member: SimMember, keys: readonly ('mobile' | 'email' | 'biz_mail')[]): Answer {
  return Object.fromEntries(keys.filter((key) => member[key]).map((key) => [key, member[key]]));
}

function query(request: FastifyRequest): Answer {
  return (request.query ?? {}) as Answer;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
