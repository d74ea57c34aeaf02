/**
 * Logs of complete logins contain no secret, code, state, token, ticket or cookie value, and do
 * contain one line per request with the route template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENTS } from '../helpers/browser.js';
import { TRICKY_SECRET } from '../helpers/env.js';
import { CLIENTS, type Harness, startHarness } from '../helpers/harness.js';
import { modernLogin, nocobaseLogin } from '../helpers/rp.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ captureLogs: true, env: { LOG_LEVEL: 'trace' } });
});
afterAll(() => h.close());

describe('logs', () => {
  it('never contain codes, states, tokens, tickets, secrets or cookies', async () => {
    const browser = h.browser('zhangsan', USER_AGENTS.wecom);
    const v5 = await nocobaseLogin(h, browser, 'openid email profile phone');
    await v5.client.userinfo(v5.tokenSet!.access_token!);
    await v5.client.userinfo(v5.tokenSet!.access_token!, { method: 'POST', via: 'body' });
    const v6 = await modernLogin(h, h.browser('lisi'));
    // A failing login too: errors must not leak either.
    h.sim.state.addFault({ api: 'getuserinfo', errcode: 40029, times: 2 });
    await nocobaseLogin(h, h.browser('zhangsan'));

    const weComStates = [...v5.flow.hops, ...v6.flow.hops]
      .map((hop) => hop.location && new URL(hop.location).searchParams.get('state'))
      .filter((s): s is string => typeof s === 'string' && s.length > 0);
    const secrets = [
      TRICKY_SECRET,
      CLIENTS.modern.secret,
      'sim-secret-0123456789',
      v5.params.code!,
      v5.state,
      v6.params.code!,
      v6.state,
      v6.nonce,
      v5.tokenSet!.access_token!,
      v5.tokenSet!.id_token!,
      v6.tokens!.access_token,
      v6.tokens!.id_token!,
      ...weComStates,
      ...h.sim.state.issuedTickets(),
      ...h.sim.state.issuedTokens(),
      ...[...browser.cookies.values()].map((cookie) => cookie.value),
    ];
    expect(weComStates.length).toBeGreaterThanOrEqual(2);
    expect(h.sim.state.issuedTickets().length).toBeGreaterThanOrEqual(1);
    const text = h.logs.join('\n');
    for (const secret of secrets) expect(text.includes(secret), `log contains ${secret.slice(0, 8)}…`).toBe(false);
    // Not vacuous: the requests were logged, by route template and without query strings.
    const lines = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.route)).toEqual(
      expect.arrayContaining(['/authorize', '/wecom/callback', '/token', '/userinfo']),
    );
    expect(requests.every((line) => typeof line.path === 'string' && !(line.path as string).includes('?'))).toBe(true);
    expect(lines.some((line) => line.msg === 'login succeeded')).toBe(true);
    // Every request line carries its request id (the one pages and x-request-id show), and the
    // lines a handler writes carry the same id as its request line.
    expect(requests.every((line) => typeof line.reqId === 'string' && line.reqId !== '')).toBe(true);
    const succeeded = lines.find((line) => line.msg === 'login succeeded')!;
    expect(requests.find((line) => line.reqId === succeeded.reqId)?.route).toBe('/wecom/callback');
    // The audit line names who signed in to which client, by which leg.
    expect(succeeded).toMatchObject({
      userid: expect.any(String),
      client: expect.any(String),
      leg: expect.stringMatching(/^(web|oauth)$/),
    });
  });
});
