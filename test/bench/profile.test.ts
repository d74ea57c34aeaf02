/** The `--cpu-prof` summary: self time by function and group, idle and the skipped start left out. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeProfile, groupOf, type Profile, selfTimes } from '../../bench/profile.js';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9 });
// Four functions sampled every millisecond: 2 ms of start-up, then jose, the store, GC, idle.
const profile: Profile = {
  nodes: [
    { id: 1, callFrame: frame('(idle)') },
    { id: 2, callFrame: frame('compileFunction', 'node:internal/vm') },
    { id: 3, callFrame: frame('sign', 'file:///app/node_modules/jose/dist/webapi/jws/flattened/sign.js') },
    { id: 4, callFrame: frame('read', 'file:///app/dist/src/store/memory.js') },
    { id: 5, callFrame: frame('(garbage collector)') },
  ],
  samples: [2, 2, 3, 3, 3, 4, 5, 1, 1, 1],
  timeDeltas: Array.from({ length: 10 }, () => 1000),
};

describe('CPU profile summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sums self time by function, without idle and the first skipped milliseconds', () => {
    expect(selfTimes(profile, 2)).toEqual([
      ['sign ~/jose/dist/webapi/jws/flattened/sign.js:10', 3],
      ['read src/store/memory.js:10', 1],
      ['(garbage collector) (native)', 1],
    ]);
    expect(selfTimes(profile).map(([name]) => name)).toContain('compileFunction node:internal/vm:10');
  });

  it('groups functions by package or source folder', () => {
    expect(
      [
        'sign ~/jose/x.js:1',
        'read src/store/memory.js:1',
        'parse (native)',
        'request ~/undici/lib/api/api-request.js:1',
        'x ~/pino/pino.js:1',
      ].map(groupOf),
    ).toEqual(['jose', 'store', 'JSON', 'undici', 'logging']);
    const file = join(dir, 'p.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const text = describeProfile(file, 2);
    expect(text).toContain('0.0 s busy from 0.0 s on');
    expect(text).toMatch(/ 60\.0% {2}jose\n +20\.0% {2}(store|GC)\n/);
  });
});
