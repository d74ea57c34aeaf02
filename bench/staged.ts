/**
 * CPU per hop: a batch of logins taken through the flow one hop at a time (every authorize, then
 * every WeCom page, every callback, every token request, every userinfo), with the bridge's CPU
 * read around each of its four hops. A login's cost then splits by endpoint without a profiler:
 * the bridge does nothing else while a stage runs.
 */
import { CookieJar, pathOn, queryParam } from './http.js';
import { WECOM_USER_AGENT, type BridgeHop, type LoginPlan } from './login.js';
import { cpuMs } from './proc.js';
import { round3 } from './stats.js';

/**
 * When each hop's stage ran: `[start, end]` in µs of the monotonic clock (`process.hrtime`), the
 * clock V8 stamps CPU-profile samples with, so a `--cpu-prof` profile can be cut by hop.
 */
export type HopWindows = Record<BridgeHop, Array<readonly [number, number]>>;

/** Bridge CPU per request of each hop, ms, and the logins that went through. */
export interface HopCpu {
  readonly logins: number;
  readonly authorize: number;
  readonly callback: number;
  readonly token: number;
  readonly userinfo: number;
  readonly errors: number;
}

interface Staged {
  readonly login: ReturnType<LoginPlan['next']>;
  readonly jar: CookieJar;
  next?: string;
  failed?: boolean;
}

/**
 * Takes `count` logins through the flow stage by stage over `connections` connections; `windows`
 * (when given) receives the time span of each bridge stage.
 */
export async function cpuPerHop(plan: LoginPlan, pid: number, count: number, connections: number, windows?: HopWindows): Promise<HopCpu> {
  const logins: Staged[] = Array.from({ length: count }, () => ({ login: plan.next(), jar: new CookieJar() }));
  const stage = async (run: (item: Staged) => Promise<string | undefined>, hop?: BridgeHop): Promise<number> => {
    const started = monotonicMicros();
    const before = cpuMs(pid);
    let index = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (index < logins.length) {
          const item = logins[index++]!;
          if (item.failed) continue;
          const next = await run(item).catch(() => undefined);
          if (next === undefined) item.failed = true;
          else item.next = next;
        }
      }),
    );
    const spent = cpuMs(pid) - before;
    if (hop) windows?.[hop].push([started, monotonicMicros()]);
    return spent / count;
  };
  const authorize = await stage(async (item) => {
    const answer = await plan.bridge.send({ path: item.login.authorizePath, headers: { 'user-agent': WECOM_USER_AGENT } });
    item.jar.store(answer.setCookies);
    return pathOn(plan.sim.url, answer.location);
  }, 'authorize');
  await stage(async (item) => {
    const answer = await plan.sim.send({ path: item.next!, headers: { 'user-agent': WECOM_USER_AGENT, 'x-sim-user': item.login.user } });
    return pathOn(plan.bridge.url, answer.location);
  });
  const callback = await stage(async (item) => {
    const cookie = item.jar.header();
    const answer = await plan.bridge.send({ path: item.next!, headers: { 'user-agent': WECOM_USER_AGENT, ...(cookie ? { cookie } : {}) } });
    return answer.location === undefined ? undefined : queryParam(answer.location, 'code');
  }, 'callback');
  const token = await stage(async (item) => {
    const answer = await plan.bridge.send({
      method: 'POST',
      path: '/token',
      headers: { authorization: plan.authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: plan.tokenBody(item.next!, item.login.verifier),
      readBody: true,
    });
    return answer.status === 200 ? (JSON.parse(answer.body!) as { access_token: string }).access_token : undefined;
  }, 'token');
  const userinfo = await stage(async (item) => {
    const answer = await plan.bridge.send({ path: '/userinfo', headers: { authorization: `Bearer ${item.next!}` } });
    return answer.status === 200 ? '' : undefined;
  }, 'userinfo');
  return {
    logins: count,
    authorize: round3(authorize),
    callback: round3(callback),
    token: round3(token),
    userinfo: round3(userinfo),
    errors: logins.filter((item) => item.failed).length,
  };
}

/** No windows yet: one empty list per hop. */
export function noHopWindows(): HopWindows {
  return { authorize: [], callback: [], token: [], userinfo: [] };
}

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
