/**
 * openapi.yaml lints clean with Redocly's recommended rules (redocly.yaml), warnings included.
 *
 * @redocly/openapi-core is the engine of `redocly lint` without the CLI's documentation builder
 * and its dependencies; it runs the same rules from the same configuration file.
 */
import { fileURLToPath } from 'node:url';
import { lint, loadConfig } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { SPEC_PATH } from './spec.js';

describe('openapi.yaml', () => {
  it('lints clean (no errors, no warnings)', async () => {
    const config = await loadConfig({ configPath: fileURLToPath(new URL('../../redocly.yaml', import.meta.url)) });
    const problems = await lint({ ref: SPEC_PATH, config });
    const lines = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    expect(lines).toEqual([]);
  });
});
