/** `--cpu-prof`'s summary: the bridge's self time (without callees) by group and function, idle and start-up left out. */
import { readFileSync } from 'node:fs';

/** The parts of a `.cpuprofile` read here. */
export interface Profile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Groups by a function's label (`name file:line`, or `name (native)`); the first match wins. */
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
  [
    'sockets and node:http',
    /^(writeUtf8String|writeLatin1String|writev|writeBuffer) \(native\)$|node:(_http|net|internal\/(stream|http)|stream|events)/,
  ],
  ['bridge code (src/)', /src\//],
  ['node (other)', /node:/],
];

/** The group of a function label. */
export const groupOf = (label: string): string =>
  GROUPS.find(([, pattern]) => pattern.test(label))?.[0] ?? 'other (V8, native, dependencies)';

/** Self time in ms by function label (a dependency as `~/package/…`, the bridge as `src/…`), heaviest first, after `skipMs`. */
export function selfTimes({ nodes, samples, timeDeltas }: Profile, skipMs = 0): [string, number][] {
  const labels = new Map(
    nodes.map(({ id, callFrame: { functionName, url, lineNumber } }) => {
      const file = url.includes('/node_modules/')
        ? url.replace(/^.*\/node_modules\//, '~/')
        : url.replace(/^.*\/dist\//, '');
      return [id, `${functionName || '(anonymous)'} ${url ? `${file}:${lineNumber + 1}` : '(native)'}`];
    }),
  );
  const byFunction = new Map<string, number>();
  let atMs = 0;
  samples.forEach((id, index) => {
    const [ms, label] = [(timeDeltas[index] ?? 0) / 1000, labels.get(id)!];
    atMs += ms;
    if (atMs > skipMs && label !== '(idle) (native)') byFunction.set(label, (byFunction.get(label) ?? 0) + ms);
  });
  return [...byFunction].sort((a, b) => b[1] - a[1]);
}

/** A printable summary of the profile in `file`: every group, then the top `count` functions. */
export function describeProfile(file: string, skipMs: number, count = 15): string {
  const functions = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile, skipMs);
  const busy = functions.reduce((sum, [, ms]) => sum + ms, 0);
  const groups = new Map<string, number>();
  for (const [label, ms] of functions) groups.set(groupOf(label), (groups.get(groupOf(label)) ?? 0) + ms);
  const row = (name: string, ms: number) => `  ${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${name}`;
  return [
    `${file}: ${(busy / 1000).toFixed(1)} s busy from ${(skipMs / 1000).toFixed(1)} s on; self time by group`,
    ...[...groups].sort((a, b) => b[1] - a[1]).map(([name, ms]) => row(name, ms)),
    `top ${count} functions by self time`,
    ...functions.slice(0, count).map(([label, ms]) => `${row(label, ms)}  [${groupOf(label)}]`),
  ].join('\n');
}
