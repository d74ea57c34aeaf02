/**
 * A small client for the simulator tests: JSON calls over real HTTP and a scripted login that
 * returns the code WeCom would hand to the bridge.
 */
import { expect } from 'vitest';
import type { WeComSimulator } from '../../sim/server.js';

/** A JSON answer of the simulator. */
export type Json = Record<string, unknown>;

/** The simulator's default corp ID. */
export const CORP_ID = 'ww5imulat0rc0rp1d';
/** The simulator's default agent ID. */
export const AGENT_ID = '1000002';
/** The simulator's default app secret. */
export const SECRET = 'sim-secret-0123456789';

/** The callback the tests log in to; nothing listens there (the tests read the Location only). */
export const CALLBACK = 'http://127.0.0.1:9/wecom/callback';

/** Which login page a scripted login uses. */
export type Page = 'oauth' | 'sso' | 'qr';

/** Test helpers bound to one simulator. */
export function simClient(sim: () => WeComSimulator) {
  /** GET `path`, expecting HTTP 200 JSON. */
  async function get(path: string): Promise<Json> {
    const response = await fetch(`${sim().url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return (await response.json()) as Json;
  }

  /** POST a JSON body (or a raw string) to `path`. */
  async function post(path: string, body: unknown, contentType = 'application/json'): Promise<Json> {
    const response = await fetch(`${sim().url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Json;
  }

  /** A valid access token. */
  async function token(): Promise<string> {
    const answer = await get(`/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${SECRET}`);
    expect(answer.errcode).toBe(0);
    return answer.access_token as string;
  }

  /** The login page URL for `page` (in-client OAuth with `scope`, or web login). */
  function loginUrl(page: Page, scope = 'snsapi_privateinfo', redirectUri = CALLBACK, state = 's1'): string {
    const redirect = encodeURIComponent(redirectUri);
    if (page === 'oauth') {
      return `${sim().url}/connect/oauth2/authorize?appid=${CORP_ID}&redirect_uri=${redirect}&response_type=code&scope=${scope}&state=${state}&agentid=${AGENT_ID}`;
    }
    const path = page === 'sso' ? '/wwlogin/sso/login?login_type=CorpApp&' : '/wwopen/sso/qrConnect?';
    return `${sim().url}${path}appid=${CORP_ID}&agentid=${AGENT_ID}&redirect_uri=${redirect}&state=${state}`;
  }

  /** Logs `user` in through a page (header `x-sim-user`) and returns the code from the redirect. */
  async function loginCode(
    user: string,
    page: Page = 'oauth',
    scope = 'snsapi_privateinfo',
    extra = '',
  ): Promise<string> {
    const response = await fetch(`${loginUrl(page, scope)}${extra}`, {
      headers: { 'x-sim-user': user },
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    const code = new URL(response.headers.get('location')!).searchParams.get('code');
    expect(code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    return code!;
  }

  /** getuserinfo for a fresh login of `user`. */
  async function userInfo(user: string, page: Page = 'oauth', scope = 'snsapi_privateinfo', extra = ''): Promise<Json> {
    const code = await loginCode(user, page, scope, extra);
    return get(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${code}`);
  }

  return { get, post, token, loginUrl, loginCode, userInfo };
}

/** WeCom's errmsg shape for `errcode`, as seen from `ip`. */
export function errmsgPattern(errcode: number, ip = '127.0.0.1'): RegExp {
  const escapedIp = ip.replace(/\./g, '\\.');
  return new RegExp(
    `^.+, hint: \\[\\d{10}_\\d{2}_[0-9a-f]{32}\\], from ip: ${escapedIp}, more info at https://open\\.work\\.weixin\\.qq\\.com/devtool/query\\?e=${errcode}$`,
  );
}
