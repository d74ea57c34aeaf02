/**
 * The simulator's test-control API (`/_sim/*`, JSON): counters, faults, tokens, clock,
 * configuration and directory changes. Only for tests, the demo and the benchmark; WeCom has
 * nothing like it. Each route calls the `SimState` method of the same purpose.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type Parsed, parseAdvance, parseConfigPatch, parseFault, parseMemberPatch } from './control-input.js';
import type { SimState } from './state.js';

/** Registers the control API. */
export function registerControl(app: FastifyInstance, state: SimState): void {
  app.get('/_sim/stats', async () => state.stats());
  app.post('/_sim/reset', async () => {
    state.reset();
    return { ok: true };
  });
  registerFaults(app, state);
  registerTokens(app, state);
  app.post('/_sim/clock', async (request, reply) =>
    withBody(reply, parseAdvance(request.body), (seconds) => {
      state.advance(seconds);
      return { now: state.now() };
    }),
  );
  app.put('/_sim/config', async (request, reply) =>
    withBody(reply, parseConfigPatch(request.body), (patch) => {
      state.setConfig(patch);
      // The secret stays out of the answer: it is the one credential the bridge must keep (so do
      // the event server's Token and EncodingAESKey).
      const { secret: _secret, eventTarget, ...visible } = state.config;
      return { ...visible, eventTarget: eventTarget ? { url: eventTarget.url } : null };
    }),
  );
  registerMembers(app, state);
  registerEvents(app, state);
}

function registerFaults(app: FastifyInstance, state: SimState): void {
  app.post('/_sim/faults', async (request, reply) =>
    withBody(reply, parseFault(request.body), (fault) => {
      state.addFault(fault);
      return { ok: true, pending: state.pendingFaults() };
    }),
  );
  app.delete('/_sim/faults', async () => {
    state.clearFaults();
    return { ok: true };
  });
}

function registerTokens(app: FastifyInstance, state: SimState): void {
  app.post('/_sim/token/expire', async () => {
    state.expireTokens();
    return { ok: true };
  });
  app.post('/_sim/token/invalidate', async () => {
    state.invalidateTokens();
    return { ok: true };
  });
  app.post('/_sim/token/rotate', async () => {
    state.rotateToken();
    return { ok: true };
  });
}

function registerMembers(app: FastifyInstance, state: SimState): void {
  app.put('/_sim/members/:userid', async (request, reply) =>
    withBody(reply, parseMemberPatch(request.body), (patch) =>
      state.putMember((request.params as { userid: string }).userid, patch),
    ),
  );
  app.delete('/_sim/members/:userid', async (request, reply) => {
    const { userid } = request.params as { userid: string };
    const left = await state.memberLeaves(userid, 'delete');
    return left ? { ok: true, event: left.event } : reply.code(404).send({ error: `no member ${userid}` });
  });
  // The member leaves by being disabled (status 2): update_user with <Status>2</Status>.
  app.post('/_sim/members/:userid/disable', async (request, reply) => {
    const { userid } = request.params as { userid: string };
    const left = await state.memberLeaves(userid, 'disable');
    return left ? { ok: true, event: left.event } : reply.code(404).send({ error: `no member ${userid}` });
  });
}

/** The event server: WeCom's URL verification and an identical resend of the last event. */
function registerEvents(app: FastifyInstance, state: SimState): void {
  app.post('/_sim/events/verify', async (_request, reply) => {
    const result = await state.verifyEventServer().catch((error: Error) => ({ ok: false, error: error.message }));
    return result ?? reply.code(409).send({ error: 'no eventTarget configured (PUT /_sim/config)' });
  });
  app.post('/_sim/events/resend', async (_request, reply) => {
    const answer = await state.resendLastEvent();
    return answer ? { ok: true, event: answer } : reply.code(409).send({ error: 'no event sent yet' });
  });
}

/** Runs `apply` on a valid body; answers 400 with the reason otherwise. */
function withBody<T>(reply: FastifyReply, parsed: Parsed<T>, apply: (value: T) => unknown): unknown {
  return parsed.ok ? apply(parsed.value) : reply.code(400).send({ error: parsed.error });
}
