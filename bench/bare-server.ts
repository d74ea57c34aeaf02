/**
 * The ceiling's bare server: the cheapest fastify service this machine can run, started the same
 * way as the bridge and driven by the same load generator.
 *
 *   node dist/bench/bare-server.js --port P --upstream <url>
 *
 * - `GET /`: a pre-serialised JSON document (what discovery and JWKS should cost at best).
 * - `GET /hop`: the same plus one keep-alive undici GET to `--upstream` (what one WeCom call
 *   should cost at best); `?calls=N` makes N such calls one after another (1–5).
 * - `GET /sign`: a JSON document with an RS256 JWT signed by jose for the request (the token
 *   hop's unavoidable work; its key is made at start).
 * - `?spin=US` on either: first keeps the CPU busy for US microseconds (wall clock). The floor
 *   "at the bridge's pace" (hop-floor.ts) uses it to serve at the bridge's rate: a process that
 *   serves fewer requests per second amortises less of its per-request overhead.
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { idTokenPayload } from './id-token.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, upstream: { type: 'string' } },
});

const body = JSON.stringify({ status: 'ok', service: 'bare', note: 'a static JSON document served from memory' });
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
const app = Fastify({ logger: false });

interface Knobs {
  readonly spin?: string;
  readonly calls?: string;
}

app.get<{ Querystring: Knobs }>('/', async (incoming, reply) => {
  spin(incoming.query.spin);
  return reply.header('content-type', 'application/json; charset=utf-8').send(body);
});

app.get<{ Querystring: Knobs }>('/hop', async (incoming, reply) => {
  if (!values.upstream) return reply.code(404).send();
  spin(incoming.query.spin);
  const calls = Math.min(5, Math.max(1, Number(incoming.query.calls ?? 1) || 1));
  let upstream: unknown;
  for (let call = 0; call < calls; call += 1) {
    const response = await request(values.upstream, { dispatcher });
    upstream = await response.body.json();
  }
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ status: 'ok', upstream }));
});

const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });

app.get('/sign', async (_incoming, reply) => {
  const idToken = await new SignJWT(idTokenPayload()).setProtectedHeader({ alg: 'RS256', kid: 'bare', typ: 'JWT' }).sign(privateKey);
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ token_type: 'Bearer', id_token: idToken }));
});

/**
 * Busy for `micros` µs. Wall clock, not thread CPU time (which Linux counts in ticks of several
 * ms): if the process is descheduled meanwhile, the spin costs less CPU than asked, and the floor
 * derived from it comes out lower, never higher.
 */
function spin(micros: string | undefined): void {
  const us = Number(micros);
  if (!(us > 0)) return;
  const end = process.hrtime.bigint() + BigInt(Math.round(Math.min(us, 100_000) * 1000));
  while (process.hrtime.bigint() < end);
}

const url = await app.listen({ host: values.host, port: Number(values.port) });
process.stdout.write(`bare server listening on ${url}\n`);

const stop = () => {
  app.close().then(
    () => dispatcher.close(),
  ).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
