/**
 * Where the bridge's time goes, from the V8 CPU profile `--cpu-prof` makes it write: self time
 * (a function's own running time, without its callees) by group (JSON, crypto, jose, store,
 * logging, fastify, undici, …) and by function, idle left out. The profiler samples the main
 * thread's wall time: on a busy machine, waits for a core are charged to whatever was running,
 * and the libuv threads that compute the signatures are not in it. Open the `.cpuprofile` in
 * Chrome DevTools for the call tree.
 */
import { readFileSync } from 'node:fs';

/** The parts of a `.cpuprofile` read here. */
export interface Profile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Groups by a function's label (`name file:line`, or `name (native)` for V8's and Node's native code); the first match wins. */
const GROUPS: readonly [string, RegExp][] = [
  ['JSON', /^(parse|stringify) \(native\)$|\/(fast-json-stringify|secure-json-parse)\//],
  ['GC', /^\(garbage collector\)/],
  ['jose', /\/jose\//],
  ['crypto', /node:internal\/crypto|node:crypto/],
  ['undici', /\/undici\//],
  ['fastify', /\/(fastify|@fastify\/[^/]+|find-my-way|fast-querystring|avvio|light-my-request|fastify-plugin)\//],
  ['logging', /\/(pino[^/]*|sonic-boom|thread-stream|fast-redact|quick-format-unescaped)\/|src\/http\/logging/],
  ['store', /\/(ioredis|@ioredis\/[^/]+|redis-parser|denque|cluster-key-slot)\/|src\/store\//],
  ['metrics', /\/prom-client\/|src\/http\/metrics/],
  ['zod', /\/zod\//],
  ['sockets and node:http', /^(writeUtf8String|writeLatin1String|writev|writeBuffer) \(native\)$|node:(_http|net|internal\/stream|internal\/http|stream|events)/],
  ['bridge code (src/)', /src\//],
  ['node (other)', /node:/],
];

/** The group of a function label. */
export function groupOf(label: string): string {
  return GROUPS.find(([, pattern]) => pattern.test(label))?.[0] ?? 'other (V8, native, dependencies)';
}

/** Self time in ms by function label, heaviest first, without the first `skipMs` (start-up, warm-up). */
export function selfTimes(profile: Profile, skipMs = 0): [string, number][] {
  const labels = new Map(profile.nodes.map(({ id, callFrame: { functionName, url, lineNumber } }) => {
    // A dependency by its package (`~/jose/…`), the bridge's code by its path in dist/ (`src/…`).
    const file = url.includes('/node_modules/') ? url.replace(/^.*\/node_modules\//, '~/') : url.replace(/^.*\/dist\//, '');
    return [id, `${functionName || '(anonymous)'} ${url ? `${file}:${lineNumber + 1}` : '(native)'}`];
  }));
  const byFunction = new Map<string, number>();
  let offsetMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    offsetMs += ms;
    const name = labels.get(id)!;
    if (offsetMs > skipMs && name !== '(idle) (native)') byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  });
  return [...byFunction].sort((a, b) => b[1] - a[1]);
}

/** A printable summary of the profile in `file`: every group, then the top `count` functions. */
export function describeProfile(file: string, skipMs: number, count = 15): string {
  const functions = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile, skipMs);
  const busy = functions.reduce((sum, [, ms]) => sum + ms, 0);
  const groups = new Map<string, number>();
  for (const [name, ms] of functions) groups.set(groupOf(name), (groups.get(groupOf(name)) ?? 0) + ms);
  const row = (name: string, ms: number) => `  ${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${name}`;
  return [
    `${file}: ${(busy / 1000).toFixed(1)} s busy from ${(skipMs / 1000).toFixed(1)} s on; self time by group`,
    ...[...groups].sort((a, b) => b[1] - a[1]).map(([name, ms]) => row(name, ms)),
    `top ${count} functions by self time`,
    ...functions.slice(0, count).map(([name, ms]) => `${row(name, ms)}  [${groupOf(name)}]`),
  ].join('\n');
}
