/**
 * One complete login, as a relying party and a browser inside the WeCom client make it:
 *
 *   authorize (bridge) → login page (simulator, `x-sim-user`) → callback (bridge)
 *   → token (bridge, client_secret_basic, PKCE) → userinfo (bridge)
 *
 * Each browser starts with an empty cookie jar, as a new visitor would: with the SSO session
 * cookie of its previous login, the bridge would answer from the session and skip WeCom. The
 * User-Agent carries `wxwork`, so the bridge takes the in-client OAuth leg and makes the three
 * WeCom calls of a real login (getuserinfo, getuserdetail, user/get).
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CookieJar, pathOn, queryParam, type Answer, type Origin } from './http.js';
import type { Recorder } from './stats.js';
import type { BenchClient } from './services.js';

/** A WeCom in-client webview (iOS). */
export const WECOM_USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.26 MicroMessenger/7.0.1 Language/zh';

/** The bridge's hops (the simulator's login page is timed as `wecom` but is not one of them). */
export const BRIDGE_HOPS = ['authorize', 'callback', 'token', 'userinfo'] as const;

/** One of {@link BRIDGE_HOPS}. */
export type BridgeHop = (typeof BRIDGE_HOPS)[number];

/** Everything a login needs, shared by all browsers of a run. */
export class LoginPlan {
  private counter = 0;
  private readonly pkce: { verifier: string; challenge: string }[];
  private readonly basic: string;
  private readonly redirectParam: string;

  constructor(
    readonly bridge: Origin,
    readonly sim: Origin,
    readonly client: BenchClient,
    private readonly members: number,
  ) {
    // PKCE pairs are made once: the bridge cannot tell, and SHA-256 in the generator would cost CPU the bridge needs.
    this.pkce = Array.from({ length: 64 }, () => {
      const verifier = randomBytes(32).toString('base64url');
      return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
    });
    this.basic = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
    this.redirectParam = encodeURIComponent(client.redirectUri);
  }

  /** Parameters of the next login: a rotating member, fresh state and nonce. */
  next(): { user: string; state: string; nonce: string; verifier: string; authorizePath: string } {
    const n = this.counter++;
    const user = `user${String((n % this.members) + 1).padStart(5, '0')}`;
    const state = `st${n.toString(36)}x${process.pid}`;
    const nonce = `no${n.toString(36)}`;
    const pair = this.pkce[n % this.pkce.length]!;
    const authorizePath =
      `/authorize?response_type=code&client_id=${encodeURIComponent(this.client.id)}&redirect_uri=${this.redirectParam}` +
      `&scope=openid%20profile%20email%20phone&state=${state}&nonce=${nonce}` +
      `&code_challenge=${pair.challenge}&code_challenge_method=S256`;
    return { user, state, nonce, verifier: pair.verifier, authorizePath };
  }

  /** The token request body. */
  tokenBody(code: string, verifier: string): string {
    return `grant_type=authorization_code&code=${encodeURIComponent(code)}&redirect_uri=${this.redirectParam}&code_verifier=${verifier}`;
  }

  get authorization(): string {
    return this.basic;
  }
}

/** A failed step: which one and why (`status 400`, `no location`, a network error code). */
class StepFailure extends Error {
  constructor(readonly step: string, readonly why: string) {
    super(`${step}: ${why}`);
  }
}

/**
 * Runs one login; records every step's latency and the whole login's under `login`.
 * @returns true when the login completed with userinfo.
 */
export async function runLogin(plan: LoginPlan, jar: CookieJar, recorder: Recorder): Promise<boolean> {
  jar.clear();
  const login = plan.next();
  const started = performance.now();
  try {
    const authorize = await step(recorder, 'authorize', () =>
      plan.bridge.send({ path: login.authorizePath, headers: browserHeaders(jar) }),
    );
    jar.store(authorize.setCookies);
    const wecomPath = expectRedirect('authorize', authorize, plan.sim.url);
    const page = await step(recorder, 'wecom', () =>
      plan.sim.send({ path: wecomPath, headers: { 'user-agent': WECOM_USER_AGENT, 'x-sim-user': login.user } }),
    );
    const callbackPath = expectRedirect('wecom', page, plan.bridge.url);
    const callback = await step(recorder, 'callback', () => plan.bridge.send({ path: callbackPath, headers: browserHeaders(jar) }));
    jar.store(callback.setCookies);
    const code = finalCode(callback, plan.client.redirectUri, login.state);
    const token = await step(recorder, 'token', () =>
      plan.bridge.send({
        method: 'POST',
        path: '/token',
        headers: { authorization: plan.authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: plan.tokenBody(code, login.verifier),
        readBody: true,
      }),
    );
    const accessToken = accessTokenOf(token);
    const userinfo = await step(recorder, 'userinfo', () =>
      plan.bridge.send({ path: '/userinfo', headers: { authorization: `Bearer ${accessToken}` }, readBody: true }),
    );
    if (userinfo.status !== 200 || !userinfo.body?.includes(`"sub":"${login.user}"`)) throw new StepFailure('userinfo', `status ${userinfo.status}`);
    recorder.add('login', performance.now() - started);
    return true;
  } catch (error) {
    recorder.error(error instanceof StepFailure ? `${error.step}: ${error.why}` : `network: ${networkCode(error)}`);
    return false;
  }
}

async function step(recorder: Recorder, name: string, send: () => Promise<Answer>): Promise<Answer> {
  const started = performance.now();
  let answer: Answer;
  try {
    answer = await send();
  } catch (error) {
    throw new StepFailure(name, networkCode(error));
  }
  recorder.add(name, performance.now() - started);
  return answer;
}

function browserHeaders(jar: CookieJar): Record<string, string> {
  const cookie = jar.header();
  return cookie === undefined ? { 'user-agent': WECOM_USER_AGENT } : { 'user-agent': WECOM_USER_AGENT, cookie };
}

function expectRedirect(step: string, answer: Answer, origin: string): string {
  if (answer.status !== 302) throw new StepFailure(step, `status ${answer.status}`);
  const path = pathOn(origin, answer.location);
  if (path === undefined) throw new StepFailure(step, 'unexpected location');
  return path;
}

/** The code from the redirect to the relying party; the RP's state must come back unchanged. */
function finalCode(answer: Answer, redirectUri: string, state: string): string {
  if (answer.status !== 302 || !answer.location?.startsWith(redirectUri)) throw new StepFailure('callback', `status ${answer.status}`);
  const code = queryParam(answer.location, 'code');
  if (code === undefined) throw new StepFailure('callback', `error ${queryParam(answer.location, 'error') ?? 'without code'}`);
  if (queryParam(answer.location, 'state') !== state) throw new StepFailure('callback', 'state mismatch');
  return code;
}

function accessTokenOf(answer: Answer): string {
  if (answer.status !== 200 || answer.body === undefined) throw new StepFailure('token', `status ${answer.status}`);
  const parsed = JSON.parse(answer.body) as { access_token?: unknown; id_token?: unknown };
  if (typeof parsed.access_token !== 'string' || typeof parsed.id_token !== 'string') throw new StepFailure('token', 'incomplete answer');
  return parsed.access_token;
}

function networkCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
