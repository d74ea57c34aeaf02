/**
 * The bridge's node flags are written in three places: `npm start`, the Dockerfile's CMD and the
 * benchmark (which must measure the process as it runs in production). They must agree.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BRIDGE_NODE_FLAGS } from '../../bench/services.js';

const startScript = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))![1]!) as string[];

describe('node flags of the bridge', () => {
  it('are the same in npm start, the Dockerfile and the benchmark', () => {
    expect(BRIDGE_NODE_FLAGS.length).toBeGreaterThan(0);
    expect(startScript).toBe(['node', ...BRIDGE_NODE_FLAGS, 'dist/src/main.js'].join(' '));
    expect(cmd).toEqual(['node', ...BRIDGE_NODE_FLAGS, 'dist/src/main.js']);
  });
});
