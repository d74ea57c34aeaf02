/**
 * The simulator's test-control API (`/_sim/*`, JSON): counters, faults, clock, configuration and
 * directory changes. Only for tests, the demo and the benchmark; WeCom has nothing like it.
 */
import type { FastifyInstance } from 'fastify';
import type { SimMember } from './directory.js';
import type { SimConfig, SimFault, SimState } from './state.js';

const CONFIG_KEYS = ['trustedDomains', 'trustedIps', 'appCreatedAfter2022', 'latencyMs', 'defaultUser', 'tokenExpiresIn'] as const;

/** Registers the control API. */
export function registerControl(app: FastifyInstance, state: SimState): void {
  app.get('/_sim/stats', async () => ({ calls: state.calls, tokensIssued: state.tokensIssued }));
  app.post('/_sim/reset', async () => {
    state.reset();
    return { ok: true };
  });
  app.post('/_sim/faults', async (request, reply) => {
    const fault = request.body as Partial<SimFault> | undefined;
    if (!fault || typeof fault.api !== 'string') return reply.code(400).send({ error: 'api is required' });
    state.addFault({ api: fault.api, ...pickNumbers(fault, ['errcode', 'hangMs', 'status', 'times']) });
    return { ok: true };
  });
  app.delete('/_sim/faults', async () => {
    state.clearFaults();
    return { ok: true };
  });
  app.post('/_sim/token/expire', async () => {
    state.expireTokens();
    return { ok: true };
  });
  app.post('/_sim/token/invalidate', async () => {
    state.invalidateTokens();
    return { ok: true };
  });
  app.post('/_sim/clock', async (request) => {
    state.advance(Number((request.body as { advanceSeconds?: unknown } | undefined)?.advanceSeconds ?? 0));
    return { now: state.now() };
  });
  app.put('/_sim/config', async (request) => {
    const body = (request.body ?? {}) as Partial<SimConfig>;
    const partial = Object.fromEntries(CONFIG_KEYS.filter((key) => key in body).map((key) => [key, body[key]]));
    state.setConfig(partial);
    return state.config;
  });
  app.put('/_sim/members/:userid', async (request) => {
    const { userid } = request.params as { userid: string };
    state.upsertMember({ ...(request.body as Omit<SimMember, 'userid'>), userid });
    return { ok: true };
  });
  app.delete('/_sim/members/:userid', async (request, reply) => {
    const { userid } = request.params as { userid: string };
    return state.deleteMember(userid) ? { ok: true } : reply.code(404).send({ error: 'no such member' });
  });
}

function pickNumbers<K extends string>(source: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, number>> {
  return Object.fromEntries(keys.filter((key) => typeof source[key] === 'number').map((key) => [key, source[key]])) as Partial<Record<K, number>>;
}
