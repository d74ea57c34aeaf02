/**
 * Offboarding across replicas (issue 30): two bridge processes (the compiled service) on one Redis
 * drain one offboarding queue. Members signed in at two relying parties with back-channel logout
 * URIs (several sessions each) are deleted in WeCom; the encrypted events (built as WeCom builds
 * them, sim/events.ts) reach either replica, and each is also repeated to the other one, as WeCom
 * does when an answer is slow. Every expected logout token (one per client and session) must reach
 * the relying party exactly once, verified against the bridge's JWKS:
 *
 * - both replicas up, the events alternating between them;
 * - the replica that took the jobs stopped (SIGTERM) while its deliveries fail (503): the other
 *   delivers everything once the relying party answers again;
 * - the replica killed (SIGKILL) while it holds a delivery: the other takes the job over when its
 *   lease ends (OFFBOARDING_LEASE, shortened here to 10 s; the production default is 30 s).
 *
 * Only generous deadlines, no timing assertions.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { contactChangeXml, deliver, eventDelivery } from '../../sim/events.js';
import { startWeComSimulator, type WeComSimulator } from '../../sim/server.js';
import { generateSigningKeyPem } from '../../src/keys/generate.js';
import { Balancer } from '../helpers/balancer.js';
import { TestBrowser, USER_AGENTS } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { CLIENTS, type Harness, harnessEnv } from '../helpers/harness.js';
import { ChildBridge, requireBuild } from '../helpers/process.js';
import { dropKeys, REDIS_TEST_URL, redisAvailable, uniquePrefix } from '../helpers/redis.js';
import { modernLogin, nocobaseLogin } from '../helpers/rp.js';

const available = await redisAvailable();

const EVENT_SERVER = {
  token: 'rEpl1caT0ken0ffb0ard1ng',
  encodingAesKey: 'R3pl1caEnc0d1ngAESKey0ffb0ard1ngTest0123456',
};
const CORP_ID = 'ww5imulat0rc0rp1d';
const AGENT_ID = '1000002';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** The relying party's paths, one per client, and the client each stands for. */
const AUDIENCE: Record<string, string> = { '/nocobase': CLIENTS.nocobase.id, '/modern': CLIENTS.modern.id };

/** One POST the relying party received, and what it answered. */
interface Received {
  readonly path: string;
  readonly token: string;
  readonly status: number;
}

/**
 * The relying parties' back-channel logout endpoints (one server, a path per client): records
 * every POSTed logout_token. `mode`: answer 200 (`ok`), 503 (`fail`), or hold the request
 * unanswered (`hold`: a delivery in flight) until the mode changes, then answer it 503.
 */
class LogoutReceiver {
  readonly received: Received[] = [];
  mode: 'ok' | 'fail' | 'hold' = 'ok';
  private readonly held: ServerResponse[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += chunk;
    const token = new URLSearchParams(body).get('logout_token') ?? '';
    const path = request.url ?? '';
    if (this.mode === 'hold') {
      this.received.push({ path, token, status: 0 });
      this.held.push(response);
      // A sender that gave up (its timeout) or died no longer has a delivery in flight.
      response.once('close', () => {
        const index = this.held.indexOf(response);
        if (index >= 0) this.held.splice(index, 1);
      });
      return;
    }
    const status = this.mode === 'ok' ? 200 : 503;
    this.received.push({ path, token, status });
    response.writeHead(status, { 'cache-control': 'no-store' }).end();
  }

  /** Deliveries in flight (held unanswered). */
  get holding(): number {
    return this.held.length;
  }

  /** Changes the mode; held requests are answered 503 (the sender may be gone already). */
  setMode(mode: 'ok' | 'fail' | 'hold'): void {
    this.mode = mode;
    if (mode === 'hold') return;
    for (const response of this.held.splice(0)) {
      if (!response.destroyed) response.writeHead(503).end();
    }
  }

  /** The tokens the relying party accepted (answered 200). */
  accepted(): Received[] {
    return this.received.filter((r) => r.status === 200);
  }

  async close(): Promise<void> {
    this.setMode('ok');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Two replicas on one Redis behind a balancer (the issuer), a simulator and the receiver. */
interface Cluster {
  readonly sim: WeComSimulator;
  readonly balancer: Balancer;
  readonly replicas: ChildBridge[];
  readonly ports: number[];
  readonly issuer: string;
  readonly rp: LogoutReceiver;
  readonly prefix: string;
}

let cluster: Cluster | undefined;

async function startCluster(): Promise<Cluster> {
  requireBuild();
  const rp = new LogoutReceiver();
  await rp.start();
  const lbPort = await freePort();
  const issuer = `http://127.0.0.1:${lbPort}`;
  const sim = await startWeComSimulator({ trustedDomains: [`127.0.0.1:${lbPort}`] });
  const ports = [await freePort(), await freePort()];
  const key = generateSigningKeyPem('RS256');
  const prefix = uniquePrefix('replica-offboarding');
  const replicas = ports.map(
    (port) =>
      new ChildBridge(
        harnessEnv(port, sim.url, {
          PUBLIC_URL: issuer,
          REDIS_URL: REDIS_TEST_URL,
          REDIS_KEY_PREFIX: prefix,
          SIGNING_KEY: key,
          WECOM_CALLBACK_TOKEN: EVENT_SERVER.token,
          WECOM_CALLBACK_AES_KEY: EVENT_SERVER.encodingAesKey,
          OFFBOARDING_LEASE: '10',
          OIDC_BACKCHANNEL_LOGOUT_URI: `${rp.url}/nocobase`,
          OIDC_CLIENTS: JSON.stringify([
            {
              client_id: CLIENTS.modern.id,
              client_secret: CLIENTS.modern.secret,
              redirect_uris: [CLIENTS.modern.redirectUri],
              post_logout_redirect_uris: [CLIENTS.modern.postLogoutRedirectUri],
              backchannel_logout_uri: `${rp.url}/modern`,
            },
          ]),
        }),
      ),
  );
  await Promise.all(replicas.map((replica) => replica.waitFor('wecom-oidc-bridge listening')));
  const balancer = new Balancer(ports, lbPort);
  await balancer.listen();
  return { sim, balancer, replicas, ports, issuer, rp, prefix };
}

afterEach(async () => {
  if (!cluster) return;
  const { balancer, replicas, sim, rp, prefix } = cluster;
  cluster = undefined;
  await balancer.close();
  await Promise.all(replicas.map((replica) => replica.stop()));
  await sim.close();
  await rp.close();
  await dropKeys(prefix);
});

/** One expected logout token: the client (path) and session it is for, and whose session it is. */
interface Expected {
  readonly path: string;
  readonly sid: string;
  readonly sub: string;
}

const expectedKey = (path: string, sid: string) => `${path} ${sid}`;

/**
 * Signs `userid` in with `sessions` browsers, each at both clients (one SSO session, two clients):
 * the logout tokens their deletion must bring, and an access token of each client to check later.
 */
async function signIn(
  c: Cluster,
  userid: string,
  sessions: number,
): Promise<{ expected: Expected[]; access: string[] }> {
  c.sim.state.putMember(userid, { name: `Leaver ${userid}`, department: [2] });
  const view = { issuer: c.issuer } as Harness;
  const expected: Expected[] = [];
  const access: string[] = [];
  for (let i = 0; i < sessions; i += 1) {
    const browser = new TestBrowser(USER_AGENTS.desktop, userid, c.sim.url);
    const modern = await modernLogin(view, browser);
    const nocobase = await nocobaseLogin(view, browser);
    const modernSid = String(modern.tokens!.claims()!.sid);
    const nocobaseSid = String(nocobase.tokenSet!.claims().sid);
    // The second client was answered from the browser's SSO session: the same sid.
    expect(nocobaseSid).toBe(modernSid);
    expected.push(
      { path: '/modern', sid: modernSid, sub: userid },
      { path: '/nocobase', sid: nocobaseSid, sub: userid },
    );
    access.push(modern.tokens!.access_token, nocobase.tokenSet!.access_token!);
  }
  return { expected, access };
}

/** WeCom's delete_user for `userid`, sent to replica `to`, then repeated identically to the other one. */
async function deleteMember(c: Cluster, userid: string, to: number, repeat = true): Promise<void> {
  c.sim.state.deleteMember(userid);
  const timestamp = Math.floor(Date.now() / 1000);
  const target = { ...EVENT_SERVER, url: `http://127.0.0.1:${c.ports[to]}/wecom/events` };
  const message = contactChangeXml(CORP_ID, { changeType: 'delete_user', userid }, timestamp);
  const delivery = eventDelivery(target, CORP_ID, AGENT_ID, message, timestamp);
  expect(await deliver(delivery)).toMatchObject({ status: 200 });
  if (!repeat) return;
  const other = new URL(delivery.url);
  other.port = String(c.ports[1 - to]);
  expect(await deliver({ url: other.href, body: delivery.body })).toMatchObject({ status: 200 });
}

/** Polls until `done()` or the deadline (generous: a failure shows what arrived). */
async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Waits until every expected token was accepted, then a quiet while (past the poll interval and
 * the first retry), and checks: each expected (client, session) accepted exactly once, nothing
 * else, each token valid (JWKS of replica `jwksFrom`), every jti distinct.
 */
async function expectEachOnce(c: Cluster, expected: readonly Expected[], jwksFrom: number, deadlineMs: number) {
  const wanted = new Set(expected.map((e) => expectedKey(e.path, e.sid)));
  const arrived = () => {
    const keys = new Set(c.rp.accepted().map((r) => expectedKey(r.path, sidOf(r.token))));
    return [...wanted].every((key) => keys.has(key));
  };
  await waitUntil(arrived, deadlineMs);
  await new Promise((r) => setTimeout(r, 2500));
  const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${c.ports[jwksFrom]}/jwks`));
  const accepted = c.rp.accepted();
  const keys: string[] = [];
  const jtis = new Set<string>();
  for (const { path, token } of accepted) {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: c.issuer,
      audience: AUDIENCE[path]!,
      typ: 'logout+jwt',
      maxTokenAge: '5 min',
    });
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(payload.nonce).toBeUndefined();
    const match = expected.find((e) => e.path === path && e.sid === payload.sid);
    expect(match, `unexpected token for ${path} ${String(payload.sid)}`).toBeDefined();
    expect(payload.sub).toBe(match!.sub);
    keys.push(expectedKey(path, String(payload.sid)));
    jtis.add(String(payload.jti));
  }
  // None missing, none twice (by client and sid, hence by sub), every jti distinct.
  expect(keys.sort()).toEqual([...wanted].sort());
  expect(jtis.size).toBe(accepted.length);
}

function sidOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sid?: string;
  };
  return String(payload.sid);
}

/** The audit lines of back-channel deliveries a replica printed, by outcome. */
function deliveries(replica: ChildBridge, outcome: string): number {
  return replica.logLines().filter((line) => line.audit === 'backchannel_logout' && line.outcome === outcome).length;
}

async function userinfoStatus(port: number, accessToken: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/userinfo`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  await response.arrayBuffer();
  return response.status;
}

describe.runIf(available)('offboarding on two replicas sharing one Redis', () => {
  it('delivers each logout token exactly once when the events alternate between the replicas', async () => {
    const c = (cluster = await startCluster());
    const leavers = ['leaver1', 'leaver2', 'leaver3'];
    const signedIn = await Promise.all(leavers.map((userid) => signIn(c, userid, 2)));
    const stayer = await signIn(c, 'stayer', 1);
    const expected = signedIn.flatMap((s) => s.expected);
    expect(expected).toHaveLength(12);

    for (const [index, userid] of leavers.entries()) await deleteMember(c, userid, index % 2);
    await expectEachOnce(c, expected, 0, 30_000);
    // Nothing failed along the way: every POST the relying party saw was accepted.
    expect(c.rp.received).toHaveLength(expected.length);
    const byReplica = c.replicas.map((replica) => deliveries(replica, 'delivered'));
    console.info(`[figures] ${expected.length} logout tokens, delivered by the replicas: ${byReplica.join(' + ')}`);
    expect(byReplica[0]! + byReplica[1]!).toBe(expected.length);
    // Each event ended its member once, though both replicas received it.
    const ended = c.replicas.flatMap((replica) => replica.logLines().filter((l) => l.audit === 'member_ended'));
    expect(ended.map((l) => l.userid).sort()).toEqual(leavers);

    for (const token of signedIn.flatMap((s) => s.access)) {
      for (const port of c.ports) expect(await userinfoStatus(port, token)).toBe(401);
    }
    for (const token of stayer.access) {
      for (const port of c.ports) expect(await userinfoStatus(port, token)).toBe(200);
    }
  }, 90_000);

  it('delivers every token once from the other replica when the one that took the jobs stops (SIGTERM) while its deliveries fail', async () => {
    const c = (cluster = await startCluster());
    const leavers = ['leaver4', 'leaver5'];
    const expected = (await Promise.all(leavers.map((userid) => signIn(c, userid, 2)))).flatMap((s) => s.expected);
    const [stopping, staying] = c.replicas as [ChildBridge, ChildBridge];

    c.rp.setMode('fail');
    for (const userid of leavers) await deleteMember(c, userid, 0, false);
    // Replica 0 took jobs and its deliveries fail: the relying party answers 503.
    await waitUntil(() => deliveries(stopping, 'retry') > 0, 20_000);
    expect(deliveries(stopping, 'retry')).toBeGreaterThan(0);
    process.kill(stopping.child.pid!, 'SIGTERM');
    expect(await stopping.exited).toBe(0);
    const failedBefore = c.rp.received.length;
    c.rp.setMode('ok');

    await expectEachOnce(c, expected, 1, 60_000);
    expect(deliveries(stopping, 'delivered')).toBe(0);
    expect(deliveries(staying, 'delivered')).toBe(expected.length);
    const ended = c.replicas.flatMap((replica) => replica.logLines().filter((l) => l.audit === 'member_ended'));
    expect(ended.map((l) => l.userid).sort()).toEqual(leavers);
    console.info(
      `[figures] SIGTERM: ${failedBefore} failed attempt(s) before the stop, ${expected.length} tokens delivered once by the other replica`,
    );
  }, 90_000);

  it('takes over a delivery a killed replica held (SIGKILL) when its lease ends, and delivers every token once', async () => {
    const c = (cluster = await startCluster());
    const leavers = ['leaver6', 'leaver7'];
    const expected = (await Promise.all(leavers.map((userid) => signIn(c, userid, 2)))).flatMap((s) => s.expected);
    const [killed, staying] = c.replicas as [ChildBridge, ChildBridge];

    c.rp.setMode('hold');
    for (const userid of leavers) await deleteMember(c, userid, 0, false);
    // Each replica delivers one job at a time: two deliveries in flight means both hold one.
    await waitUntil(() => c.rp.holding >= 2, 20_000);
    expect(c.rp.holding).toBe(2);
    process.kill(killed.child.pid!, 'SIGKILL');
    await killed.exited;
    c.rp.setMode('ok');

    await expectEachOnce(c, expected, 1, 60_000);
    expect(deliveries(killed, 'delivered')).toBe(0);
    expect(deliveries(staying, 'delivered')).toBe(expected.length);
  }, 90_000);
});
