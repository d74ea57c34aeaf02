/**
 * The bridge's node flags are written in three places: `npm start`, the Dockerfile's CMD and the
 * benchmark (which must measure the process as it runs in production). They must agree.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BRIDGE_ENV, BRIDGE_NODE_FLAGS } from '../../bench/services.js';
import { envPairs } from '../helpers/dockerfile.js';

const startScript = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts
  .start!;
const dockerfile = readFileSync('Dockerfile', 'utf8');
const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
// The runtime stage's ENV: the last one of the file.
const envLine = [...dockerfile.matchAll(/^ENV (.*)$/gm)].at(-1)![1]!;

describe('node flags of the bridge', () => {
  it('are the same in npm start, the Dockerfile and the benchmark', () => {
    expect(BRIDGE_NODE_FLAGS.length).toBeGreaterThan(0);
    expect(startScript).toBe(['node', ...BRIDGE_NODE_FLAGS, 'dist/src/main.js'].join(' '));
    expect(cmd).toEqual(['node', ...BRIDGE_NODE_FLAGS, 'dist/src/main.js']);
  });

  it('the benchmark runs the bridge with the environment the image sets', () => {
    expect(Object.keys(BRIDGE_ENV).length).toBeGreaterThan(0);
    expect(envPairs(envLine)).toMatchObject(BRIDGE_ENV);
  });
});
