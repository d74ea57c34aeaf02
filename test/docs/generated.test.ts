/**
 * The variable documentation cannot drift: `.env.example` and the table of docs/configuration.md
 * are generated (scripts/gen-docs.ts) from the declarations in `src/config/variables.ts`, the same
 * ones the config schema is built from.
 */
import { describe, expect, it } from 'vitest';
import { staleFiles } from '../../scripts/gen-docs.js';
import { envSchema } from '../../src/config/schema.js';
import { VARIABLES, type Variable } from '../../src/config/variables.js';

describe('generated variable documentation', () => {
  it('.env.example and the docs/configuration.md table are up to date (fix: npx tsx scripts/gen-docs.ts)', () => {
    expect(staleFiles()).toEqual([]);
  });

  it('documents defaults the parser accepts', () => {
    const withDefaults = Object.entries(VARIABLES).filter(([, v]) => (v as Variable).default !== undefined);
    for (const [name, v] of withDefaults) {
      const result = envSchema.shape[name as keyof typeof VARIABLES].safeParse((v as Variable).default);
      expect(result.success, name).toBe(true);
    }
  });
});
