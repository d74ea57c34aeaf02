/**
 * The documentation of the environment cannot drift: every schema variable is documented in
 * src/config/variables.ts and nothing else is, and `.env.example` and the README table are what
 * scripts/gen-docs.ts generates from it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/schema.js';
import { VARIABLES } from '../../src/config/variables.js';
import { envExample, readmeTable } from '../../scripts/gen-docs.js';

describe('environment documentation', () => {
  it('documents exactly the variables the schema reads', () => {
    expect(VARIABLES.map((v) => v.name).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('.env.example and the README table are up to date (npx tsx scripts/gen-docs.ts)', () => {
    expect(readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')).toBe(envExample());
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain(readmeTable());
  });
});
