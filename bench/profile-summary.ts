/**
 * The heaviest functions of a V8 CPU profile (`--cpu-prof`), by self time and by total time
 * (self plus everything it called), grouped by function and file. Enough to see where a login's
 * time goes without opening DevTools.
 *
 *   node dist/bench/profile-summary.js <file.cpuprofile> [count] [skip-ms]
 *
 * The benchmark also cuts the profile by hop: the samples taken while the hop-by-hop stages of
 * one endpoint ran (staged.ts records when), so each hop's own costs show apart from the rest.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One row: a function and its share of the sampled time. */
export interface ProfileRow {
  readonly name: string;
  readonly selfPercent: number;
  readonly totalPercent: number;
}

/**
 * Which samples count, by their time stamp (µs of the monotonic clock, as `process.hrtime`) and
 * their offset from the profile's start (µs).
 */
export type SampleFilter = (stampUs: number, offsetUs: number) => boolean;

/** The rows of a summary and the busy time they share, µs. */
export interface ProfileSummary {
  readonly rows: ProfileRow[];
  readonly busyUs: number;
}

/**
 * Self and total time per function, heaviest first by self time, as shares of the busy time
 * (idle excluded) of the samples `include` accepts (all by default).
 */
export function summarise(profile: Profile, include: SampleFilter = () => true): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  let offsetUs = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    offsetUs += delta;
    if (!include(profile.startTime + offsetUs, offsetUs) || byId.get(id)?.callFrame.functionName === '(idle)') return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const busyUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const total = busyUs || 1;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const key = label(byId.get(id)!);
    self.set(key, (self.get(key) ?? 0) + us);
    // Each function on the stack gets the sample once, however often it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const rows = [...inclusive.keys()]
    .map((name) => ({ name, selfPercent: pct(self.get(name) ?? 0, total), totalPercent: pct(inclusive.get(name)!, total) }))
    .sort((a, b) => b.selfPercent - a.selfPercent);
  return { rows, busyUs };
}

/** A printable summary of `file`: top `count` by self time, then by total time. */
export function describeProfile(file: string, count = 25, skipMs = 0): string {
  const { rows } = summarise(readProfile(file), (_stamp, offsetUs) => offsetUs >= skipMs * 1000);
  const bySelf = rows.slice(0, count).map(line);
  const byTotal = [...rows].sort((a, b) => b.totalPercent - a.totalPercent).filter((r) => !r.name.startsWith('(')).slice(0, count).map(line);
  const skipped = skipMs > 0 ? `, first ${Math.round(skipMs)} ms skipped` : '';
  return [`${basename(file)} (shares of busy time${skipped})`, '  self    total   (by self time)', ...bySelf, '  self    total   (by total time)', ...byTotal].join('\n');
}

/**
 * Each hop's own profile: the samples taken within that hop's `windows` (`[start, end]`, µs of
 * the monotonic clock), top `count` functions by self time.
 */
export function describeHopProfiles(file: string, windows: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>>, count = 15): string {
  const profile = readProfile(file);
  const sections = Object.entries(windows).map(([hop, spans]) => {
    const { rows, busyUs } = summarise(profile, (stamp) => spans.some(([from, to]) => stamp >= from && stamp <= to));
    return [`  ${hop}: ${(busyUs / 1000).toFixed(0)} ms busy in ${spans.length} stage(s)`, ...rows.slice(0, count).map(line)];
  });
  return ['each hop alone (its hop-by-hop stages; shares of that hop\'s busy time)', '  self    total', ...sections.flat()].join('\n');
}

function readProfile(file: string): Profile {
  return JSON.parse(readFileSync(file, 'utf8')) as Profile;
}

function line(row: ProfileRow): string {
  return `  ${row.selfPercent.toFixed(1).padStart(5)}%  ${row.totalPercent.toFixed(1).padStart(5)}%  ${row.name}`;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return `(${functionName || 'anonymous'})`.replace(/^\(\((.*)\)\)$/, '($1)');
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/dist\//, '');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function pct(part: number, whole: number): number {
  return (part * 100) / whole;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, count, skip] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [count] [skip-ms]\n');
    process.exit(2);
  }
  process.stdout.write(`${describeProfile(file, count ? Number(count) : 25, skip ? Number(skip) : 0)}\n`);
}
