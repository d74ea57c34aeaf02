/**
 * The variable documentation cannot drift: `.env.example` and the README table are generated from
 * `src/config/variables.ts` (scripts/gen-docs.ts), and that list must name exactly the variables
 * the config schema reads.
 */
import { describe, expect, it } from 'vitest';
import { staleFiles } from '../../scripts/gen-docs.js';
import { FILE_VARIABLES } from '../../src/config/load.js';
import { envSchema } from '../../src/config/schema.js';
import { VARIABLES } from '../../src/config/variables.js';

describe('generated variable documentation', () => {
  it('.env.example and the README table are up to date (fix: npx tsx scripts/gen-docs.ts)', () => {
    expect(staleFiles()).toEqual([]);
  });

  it('documents exactly the variables the schema reads', () => {
    expect(VARIABLES.map((v) => v.name).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('marks exactly the *_FILE variables the loader resolves', () => {
    expect(VARIABLES.filter((v) => v.fileVariant).map((v) => v.name).sort()).toEqual([...FILE_VARIABLES].sort());
  });
});
