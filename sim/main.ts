/**
 * Runs the WeCom simulator as its own process (benchmarks, manual testing):
 *
 *   node dist/sim/main.js [--port 9001] [--host 127.0.0.1] [--latency 5] [--members 5000]
 *
 * Prints `WeCom simulator listening on <url>`; stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { FIXTURE_MEMBERS, generateMembers } from './directory.js';
import { startWeComSimulator } from './server.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    latency: { type: 'string', default: '0' },
    members: { type: 'string', default: '0' },
    'trusted-domain': { type: 'string', multiple: true },
  },
});

const generated = Number(values.members);
const simulator = await startWeComSimulator({
  host: values.host,
  port: Number(values.port),
  latencyMs: Number(values.latency),
  members: [...FIXTURE_MEMBERS, ...generateMembers(generated)],
  trustedDomains: values['trusted-domain'] ?? [],
});
process.stdout.write(`WeCom simulator listening on ${simulator.url}\n`);

const stop = () => {
  simulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
