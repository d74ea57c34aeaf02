/**
 * The zod schema of the environment, built from the declarations in `variables.ts`.
 *
 * Input is the raw environment (strings) after `.env` merging and `*_FILE` resolution; output is
 * typed but not yet shaped into {@link Config}. Cross-variable rules live in `load.ts`.
 */
import { z } from 'zod';
import { optionalText } from './parsers.js';
import { VARIABLES, type Variable } from './variables.js';

type Declared = typeof VARIABLES;
type Name = keyof Declared;

/** A variable's field: its default (when it has one) applied to an unset or empty value, then its parser. */
function field(variable: Variable): z.ZodType {
  const fallback = variable.default;
  if (fallback === undefined) return variable.parse;
  return optionalText.transform((value) => value ?? fallback).pipe(variable.parse as z.ZodType<unknown, string>);
}

const shape = Object.fromEntries(Object.entries(VARIABLES).map(([name, variable]) => [name, field(variable)])) as {
  [K in Name]: z.ZodType<z.output<Declared[K]['parse']>, string | undefined>;
};

/** The environment schema. Keys are the variable names, so zod's issue paths name the variable. */
export const envSchema = z.object(shape);

/** The parsed environment. */
export type ParsedEnv = z.output<typeof envSchema>;

/** Variables that may also be given as `<NAME>_FILE`. */
export const FILE_VARIABLES: readonly Name[] = (Object.keys(VARIABLES) as Name[]).filter(
  (name) => (VARIABLES[name] as Variable).fileVariant === true,
);
