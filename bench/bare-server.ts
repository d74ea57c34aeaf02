/**
 * The ceiling's bare server: the cheapest fastify service this machine can run, started the same
 * way as the bridge and driven by the same load generator.
 *
 *   node dist/bench/bare-server.js --port P --upstream <url>
 *
 * - `GET /`: a pre-serialised JSON document (what discovery and JWKS should cost at best).
 * - `GET /hop`: the same plus one keep-alive undici GET to `--upstream` (what one WeCom call
 *   should cost at best).
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, upstream: { type: 'string' } },
});

const body = JSON.stringify({ status: 'ok', service: 'bare', note: 'a static JSON document served from memory' });
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
const app = Fastify({ logger: false });

app.get('/', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body));

app.get('/hop', async (_request, reply) => {
  if (!values.upstream) return reply.code(404).send();
  const response = await request(values.upstream, { dispatcher });
  const upstream: unknown = await response.body.json();
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ status: 'ok', upstream }));
});

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
