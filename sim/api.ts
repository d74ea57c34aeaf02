/**
 * The simulated WeCom server API (`/cgi-bin/*`): routing and what WeCom does around every call:
 * latency, queued faults, method check (40058), access_token from the query only (41001, 40014,
 * 42001), trusted IPs (60020), unknown paths (48001). Business errors are HTTP 200 JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiCall, apiCall } from './api-call.js';
import { getToken, getUserDetail, getUserInfo } from './auth-api.js';
import { pause } from './clock.js';
import { getUser, listDepartments, simpleListDepartments } from './directory-api.js';
import { type Answer, errorAnswer, WeComError } from './errors.js';
import type { SimApi } from './faults.js';
import type { SimState } from './state.js';

interface ApiRoute {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly api: SimApi;
  /** gettoken is the one API without an access_token and without the trusted-IP check. */
  readonly open?: boolean;
  readonly handle: (state: SimState, call: ApiCall) => Answer;
}

const ROUTES: readonly ApiRoute[] = [
  { path: '/cgi-bin/gettoken', method: 'GET', api: 'gettoken', open: true, handle: getToken },
  { path: '/cgi-bin/auth/getuserinfo', method: 'GET', api: 'getuserinfo', handle: getUserInfo },
  { path: '/cgi-bin/auth/getuserdetail', method: 'POST', api: 'getuserdetail', handle: getUserDetail },
  { path: '/cgi-bin/user/get', method: 'GET', api: 'userget', handle: getUser },
  { path: '/cgi-bin/department/list', method: 'GET', api: 'departmentList', handle: listDepartments },
  { path: '/cgi-bin/department/simplelist', method: 'GET', api: 'departmentSimplelist', handle: simpleListDepartments },
];

/** A gateway's error page, as a proxy in front of WeCom would send it (not JSON). */
function gatewayPage(status: number): string {
  return `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n`;
}

/**
 * Registers the server APIs.
 *
 * @param stopping aborted when the simulator closes: ends latency and hangs early
 */
export function registerApi(app: FastifyInstance, state: SimState, stopping: AbortSignal): void {
  void app.register(async (scope) => {
    // WeCom reads a POST body whatever its content type and answers bad JSON with 47001 itself;
    // fastify's parsers would answer 400/415 before the handler ran.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    for (const route of ROUTES) {
      scope.all(route.path, (request, reply) => serve(state, route, request, reply, stopping));
    }
    scope.all('/cgi-bin/*', async (request) => {
      await pause(state.config.latencyMs, stopping);
      return errorAnswer(48001, apiCall(request).ip, state.now());
    });
  });
}

async function serve(
  state: SimState,
  route: ApiRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  stopping: AbortSignal,
): Promise<unknown> {
  await pause(state.config.latencyMs, stopping);
  state.count(route.api);
  const call = apiCall(request);
  // A fault is WeCom (or a gateway) misbehaving, so it wins over every check; a hang-only fault
  // then lets the call proceed normally.
  const fault = state.takeFault(route.api);
  if (fault?.hangMs) await pause(fault.hangMs, stopping);
  if (fault?.status !== undefined) return reply.code(fault.status).type('text/html').send(gatewayPage(fault.status));
  if (fault?.errcode !== undefined) return errorAnswer(fault.errcode, call.ip, state.now());
  return answer(state, route, request.method, call);
}

/** WeCom's checks, in its order, then the API itself; errcodes become error answers. */
function answer(state: SimState, route: ApiRoute, method: string, call: ApiCall): Answer {
  try {
    if (method !== route.method) throw new WeComError(40058);
    if (!route.open) checkAccess(state, call);
    return route.handle(state, call);
  } catch (error) {
    if (error instanceof WeComError) return errorAnswer(error.errcode, call.ip, state.now());
    throw error;
  }
}

/** The token (from the query only, as WeCom reads it), then the caller's IP. */
function checkAccess(state: SimState, call: ApiCall): void {
  const token = call.query.access_token;
  const tokenError = state.checkToken(typeof token === 'string' ? token : undefined);
  if (tokenError !== 0) throw new WeComError(tokenError);
  const { trustedIps } = state.config;
  if (trustedIps.length > 0 && !trustedIps.includes(call.ip)) throw new WeComError(60020);
}
