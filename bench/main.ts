/**
 * `npm run bench`: complete logins against the bridge as a separate process, with the WeCom
 * simulator as another, and the machine's ceiling measured in the same run. Prints a table, then
 * one JSON line. See bench/README.md for how to read it.
 */
import { cpus, loadavg } from 'node:os';
import { VERSION } from '../src/version.js';
import { killAllOnExit, stopAll } from './child.js';
import { measureCeiling, type Ceiling } from './ceiling.js';
import { parseOptions, usage, type BenchOptions } from './options.js';
import { procAvailable } from './proc.js';
import { budget, table } from './report.js';
import { benchSecrets, startSimulator } from './services.js';
import { runStore, type StoreFigures } from './store-run.js';

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(usage());
    return;
  }
  if (!procAvailable()) throw new Error('the benchmark reads the bridge CPU and memory from /proc: run it on Linux');
  killAllOnExit();
  const options = parsed;
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const { client, signingKeyPem } = benchSecrets();
  const loadBefore = loadavg();
  const ceiling = options.routeDuration > 0 ? await ceilingRun(options, signingKeyPem, progress) : undefined;
  const stores: StoreFigures[] = [];
  for (const store of options.stores) stores.push(await runStore(store, { options, client, signingKeyPem, progress }));
  const lines = budget(ceiling, stores);
  process.stdout.write(`${table(ceiling, stores, lines)}\n`);
  for (const figures of stores) {
    if (figures.profile) process.stdout.write(`\n${figures.store} store, bridge CPU profile: ${figures.profile}\n`);
    delete figures.profile;
  }
  const result = {
    bench: 'wecom-oidc-bridge',
    version: VERSION,
    node: process.version,
    cpus: cpus().length,
    loadAverage: { before: loadBefore.map(round2), after: loadavg().map(round2) },
    date: new Date().toISOString(),
    options,
    ceiling,
    stores,
    budget: lines,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function ceilingRun(options: BenchOptions, signingKeyPem: string, progress: (line: string) => void): Promise<Ceiling> {
  progress(`ceiling: bare route, bare outbound call, RS256 signatures (${options.routeDuration}s each)${options.rate > 0 ? `, bare outbound call in an open loop at ${4 * options.rate} req/s` : ''}`);
  // The outbound call goes to a simulator, as the bridge's WeCom calls do.
  const sim = await startSimulator({ latencyMs: 0, members: 0 });
  try {
    return await measureCeiling({
      upstream: `${sim.url}/_sim/stats`,
      signingKeyPem,
      connections: options.browsers,
      seconds: options.routeDuration,
      loginRate: options.rate,
      openSeconds: options.openDuration,
    });
  } finally {
    await sim.child.stop();
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
