/**
 * The load generator: logins in a closed loop (throughput) or an open loop (latency), and the flood. Kept cheap, to leave the
 * CPU to the server measured: keep-alive, no redirects followed, no URL objects, bodies read only where needed, PKCE made in advance.
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Recorder } from './measure.js';
import { CLIENT } from './services.js';

/** A WeCom in-client webview (iOS): the bridge takes the in-client OAuth leg. */
const BROWSER = {
  'user-agent':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ' +
    'wxwork/4.1.26 MicroMessenger/7.0.1 Language/zh',
};

/** The relying party's client_secret_basic credentials. */
const BASIC = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT.id)}:${encodeURIComponent(CLIENT.secret)}`).toString('base64')}`;

/** The server's hops of a login; `wecom` (the simulator's login page) is timed but is not one. */
export const HOPS = ['authorize', 'callback', 'token', 'userinfo'] as const;

/** Keep-alive connections to every origin, as many as the requests in flight. */
export const connections = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });

/** One request, its answer reduced to what a login needs (cookies as a browser sends them back, the body only with `readBody`). */
async function send(url: string, headers: Record<string, string>, post?: string, readBody = false) {
  const response = await request(url, {
    dispatcher: connections,
    method: post === undefined ? 'GET' : 'POST',
    headers,
    body: post,
  });
  const body = readBody ? await response.body.text() : await response.body.dump().then(() => '');
  const { location, 'set-cookie': setCookie = [] } = response.headers;
  const cookies = [setCookie]
    .flat()
    .map((line) => line.split(';', 1)[0])
    .join('; ');
  return { status: response.statusCode, location: typeof location === 'string' ? location : '', cookies, body };
}

/** The logins of one server (the bridge or the floor, process `pid`) and the simulator of its WeCom login page. */
export class LoginPlan {
  private counter = 0;
  // A SHA-256 per login would take CPU from the server measured; it cannot tell the pairs repeat.
  private readonly pkce = Array.from({ length: 64 }, () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  });

  constructor(
    readonly pid: number,
    readonly server: string,
    readonly sim: string,
    private readonly members: number,
  ) {}

  /** The next login: a rotating member, a fresh state and nonce, the authorization request. */
  next(): { user: string; state: string; verifier: string; authorize: string } {
    const n = this.counter++;
    const state = `st${n.toString(36)}x${process.pid}`;
    const { verifier, challenge } = this.pkce[n % this.pkce.length]!;
    const authorize =
      `${this.server}/authorize?response_type=code&client_id=${CLIENT.id}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}` +
      `&scope=openid%20profile%20email%20phone&state=${state}&nonce=n${n.toString(36)}&code_challenge=${challenge}&code_challenge_method=S256`;
    return { user: `user${String((n % this.members) + 1).padStart(5, '0')}`, state, verifier, authorize };
  }
}

/** A failed step, e.g. `callback: status 400`. */
class StepFailure extends Error {}

/**
 * One login, each step timed, by a new browser (with an SSO cookie the bridge would skip WeCom):
 * authorize → WeCom login page (`x-sim-user`) → callback → token → userinfo; true when userinfo named the member.
 */
export async function runLogin(plan: LoginPlan, recorder: Recorder): Promise<boolean> {
  const [login, started] = [plan.next(), performance.now()];
  const step = async (name: string, expect: number, answer: () => ReturnType<typeof send>) => {
    const sent = performance.now();
    const got = await answer().catch((error: Error & { code?: string }) =>
      Promise.reject(new StepFailure(`${name}: ${error.code ?? error.message}`)),
    );
    if (got.status !== expect) throw new StepFailure(`${name}: status ${got.status}`);
    recorder.add(name, performance.now() - sent);
    return got;
  };
  const { server } = plan;
  try {
    const authorize = await step('authorize', 302, () => send(login.authorize, BROWSER));
    const page = await step('wecom', 302, () =>
      send(on(plan.sim, authorize.location), { ...BROWSER, 'x-sim-user': login.user }),
    );
    const callback = await step('callback', 302, () =>
      send(on(server, page.location), { ...BROWSER, cookie: authorize.cookies }),
    );
    const code = rpCode(callback.location, login.state);
    const form = `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(CLIENT.redirectUri)}&code_verifier=${login.verifier}`;
    const formHeaders = { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' };
    const token = await step('token', 200, () => send(`${server}/token`, formHeaders, form, true));
    const bearer = { authorization: `Bearer ${(JSON.parse(token.body) as { access_token?: string }).access_token}` };
    const userinfo = await step('userinfo', 200, () => send(`${server}/userinfo`, bearer, undefined, true));
    if (!userinfo.body.includes(`"sub":"${login.user}"`)) throw new StepFailure('userinfo: another member');
    recorder.add('login', performance.now() - started);
    return true;
  } catch (error) {
    recorder.error(error instanceof StepFailure ? error.message : `generator: ${String(error)}`);
    return false;
  }
}

/** `url` without its fragment, if it is on `origin` (a redirect elsewhere fails the login). */
function on(origin: string, url: string): string {
  if (!url.startsWith(`${origin}/`)) throw new StepFailure(`redirect elsewhere: ${url.slice(0, 80)}`);
  return url.split('#', 1)[0]!;
}

/** The code (still URL-encoded) in the redirect to the relying party, whose state must come back. */
function rpCode(location: string, state: string): string {
  const param = (name: string) => new RegExp(`[?&]${name}=([^&#]*)`).exec(location)?.[1];
  if (!location.startsWith(CLIENT.redirectUri) || param('code') === undefined)
    throw new StepFailure(`callback: error ${param('error')}`);
  if (param('state') !== state) throw new StepFailure('callback: state mismatch');
  return param('code')!;
}

/** `browsers` browsers, each starting its next login when the last one ends; completed logins. */
export async function closedLoop(
  plan: LoginPlan,
  browsers: number,
  seconds: number,
  recorder: Recorder,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let completed = 0;
  const browser = async () => {
    while (performance.now() < deadline) if (await runLogin(plan, recorder)) completed += 1;
  };
  await Promise.all(Array.from({ length: browsers }, browser));
  return completed;
}

/** Logins started at `rate` per second for `seconds`, whatever the answers do (a slow answer cannot hide itself); completed logins. */
export async function openLoop(plan: LoginPlan, rate: number, seconds: number, recorder: Recorder): Promise<number> {
  const started = performance.now();
  const total = Math.round(rate * seconds);
  const logins: Promise<boolean>[] = [];
  while (logins.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (logins.length < due) logins.push(runLogin(plan, recorder));
    // A short sleep keeps arrivals close to their schedule without spinning a core.
    await sleep(Math.max(1, Math.min(5, 1000 / rate)));
  }
  return (await Promise.all(logins)).filter(Boolean).length;
}

/** `count` authorization requests never completed, each from a new browser, over `browsers` connections; the failures. */
export async function flood(plan: LoginPlan, count: number, browsers: number): Promise<number> {
  let [sent, failed] = [0, 0];
  const browser = async () => {
    while (sent++ < count)
      if ((await send(plan.next().authorize, BROWSER).catch(() => undefined))?.status !== 302) failed += 1;
  };
  await Promise.all(Array.from({ length: browsers }, browser));
  return failed;
}
