/** The shape of one environment variable's declaration, and the documentation's sections. */
import type { z } from 'zod';

/** Sections of the documentation, in their order. */
export const GROUPS = {
  service: 'Service',
  wecom: 'WeCom app',
  access: 'Who may sign in',
  clients: 'Relying parties',
  events: 'Offboarding (WeCom contact events)',
  claims: 'Claims',
  keys: 'Signing keys',
  state: 'Shared state (Redis)',
  proxies: 'Reverse and outbound proxies',
  metrics: 'Metrics',
  lifetimes: 'Lifetimes',
  limits: 'Rate limits',
} as const;

/** A section of the documentation. */
export type Group = keyof typeof GROUPS;

/** One environment variable. */
export interface Variable<P extends z.ZodType = z.ZodType> {
  /** Documentation section. */
  readonly group: Group;
  /** One or two sentences for docs/configuration.md and `.env.example`. */
  readonly description: string;
  /**
   * The value used when the variable is unset or empty, as a user would write it; `parse` reads
   * it like any other value. Absent: `parse` receives `undefined` when the variable is unset.
   */
  readonly default?: string;
  /** Without a default, what leaving it unset means when not "empty": `required`, `generated`, … */
  readonly unset?: string;
  /** The value is a secret: never logged, never echoed in configuration errors. */
  readonly secret?: boolean;
  /** A `<NAME>_FILE` twin reads the value from a file (resolved by the loader). */
  readonly fileVariant?: boolean;
  /** Example value for `.env.example` when the default is not a good example. */
  readonly example?: string;
  /** Parses the (trimmed, defaulted) value; its error messages are what the loader reports. */
  readonly parse: P;
}

/** Keeps each declaration's parser type, so the schema's output stays typed per variable. */
export const declare = <const T extends Record<string, Variable>>(variables: T): T => variables;

/** All variables, keyed by their exact environment name. */
