/**
 * NocoBase's server types as the plugin uses them: its own (type-checked against an installed
 * NocoBase by tsconfig.server.json), plus a typing of the few context members that NocoBase's
 * `Context` leaves as `any` (its `[key: string]: any`). Type-only: nothing here is emitted.
 */
import type { Context } from '@nocobase/actions';

export type { Cache } from '@nocobase/cache';
export type { Database, Model, Transaction } from '@nocobase/database';
export type { AuthModel } from '@nocobase/plugin-auth';

/**
 * The Koa context of a NocoBase action. NocoBase's middleware adds these members at run time, but
 * its `Context` types them only through its index signature (`any`): typed here as the plugin
 * reads them.
 */
export interface NocoContext extends Context {
  /** NocoBase's request logger (`@nocobase/logger`). */
  logger: {
    info(message: string, meta?: object): void;
    warn(message: string, meta?: object): void;
    error(message: string, meta?: object): void;
  };
  /** The request's `Authorization: Bearer` token (NocoBase's auth middleware). */
  getBearerToken(): string | undefined;
  /** The request id NocoBase logs (X-Request-Id). */
  reqId?: string;
  /** Set to answer with `body` itself instead of NocoBase's `{ data: … }` wrapping. */
  withoutDataWrapping?: boolean;
  /** The parsed request body: koa-bodyparser sets it, NocoBase's typings do not declare it. */
  request: Context['request'] & { body?: unknown };
}
