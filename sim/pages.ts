/**
 * The simulated WeCom login pages: in-client OAuth (`/connect/oauth2/authorize`), desktop web
 * login (`/wwlogin/sso/login`) and the legacy QR page (`/wwopen/sso/qrConnect`).
 *
 * They check their parameters like WeCom (a problem gives an error page, never a redirect), then
 * log a member in: the one named by `sim_user` (query) or `x-sim-user` (header), else the
 * configured `defaultUser`, else the person picks one. `sim_action=deny` cancels (WeCom then
 * redirects with `state` only); `sim_consent=0` declines sharing mobile and email.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AuthorizeRequest,
  callbackUrl,
  checkAuthorizeRequest,
  isProblem,
  type LoginPage,
} from './authorize-request.js';
import { errorPage, pickerPage } from './html.js';
import type { SimState } from './state.js';

type Query = Readonly<Record<string, unknown>>;

/** Registers the three login pages. */
export function registerPages(app: FastifyInstance, state: SimState): void {
  app.get('/connect/oauth2/authorize', (request, reply) => loginPage(state, 'oauth', request, reply));
  app.get('/wwlogin/sso/login', (request, reply) => loginPage(state, 'sso', request, reply));
  app.get('/wwopen/sso/qrConnect', (request, reply) => loginPage(state, 'qr', request, reply));
}

async function loginPage(
  state: SimState,
  page: LoginPage,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const query = (request.query ?? {}) as Query;
  const checked = checkAuthorizeRequest(state.config, page, query);
  if (isProblem(checked)) return sendHtml(reply, errorPage(checked));
  if (query.sim_action === 'deny')
    return reply.redirect(callbackUrl(checked.redirectUri, { state: checked.state }), 302);
  const chosen = chosenUser(state, request, query);
  if (chosen === undefined) {
    return sendHtml(
      reply,
      pickerPage([...state.members.values()], request.url, checked.scope === 'snsapi_privateinfo'),
    );
  }
  const member = state.findMember(chosen);
  if (!member) return sendHtml(reply, errorPage({ zh: '成员不存在', en: `unknown member: ${chosen}` }));
  // In-client privateinfo needs the visible range before the consent page; the person is stuck
  // on WeCom's page and the bridge never hears back.
  if (checked.scope === 'snsapi_privateinfo' && member.visible === false) {
    return sendHtml(
      reply,
      errorPage({ zh: '成员不在可见范围', en: 'the member is not in the visible range of the app' }),
    );
  }
  const code = state.mintCode({
    userid: member.userid,
    nonMember: member.nonMember === true,
    scope: checked.scope,
    redirectHost: checked.redirectUri.host,
    consent: query.sim_consent !== '0',
  });
  return reply.redirect(successUrl(checked, code), 302);
}

/** The member to log in: `sim_user` query, then `x-sim-user` header, then `defaultUser`. */
function chosenUser(state: SimState, request: FastifyRequest, query: Query): string | undefined {
  const fromQuery = typeof query.sim_user === 'string' && query.sim_user !== '' ? query.sim_user : undefined;
  const header = request.headers['x-sim-user'];
  const fromHeader = typeof header === 'string' && header !== '' ? header : undefined;
  return fromQuery ?? fromHeader ?? state.config.defaultUser;
}

/** `redirect_uri?…&code=CODE&state=STATE` (`state=` even when empty). */
function successUrl(request: AuthorizeRequest, code: string): string {
  return callbackUrl(request.redirectUri, { code, state: request.state });
}

function sendHtml(reply: FastifyReply, html: string): FastifyReply {
  return reply.code(200).type('text/html; charset=utf-8').send(html);
}
