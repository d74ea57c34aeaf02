/**
 * The small part of NocoBase's server API the plugin uses, typed for this code only (NocoBase's
 * own packages are not installed in this repository; at run time they come from NocoBase).
 */

/** A sequelize model instance as NocoBase returns them. */
export interface UserModel {
  get(key: string): unknown;
}

/** A NocoBase repository (filter / values / transaction options as NocoBase's `find`/`create`). */
export interface Repository {
  findOne(options: Record<string, unknown>): Promise<UserModel | null | undefined>;
  find(options: Record<string, unknown>): Promise<UserModel[]>;
  create(options: Record<string, unknown>): Promise<UserModel>;
}

/** NocoBase's database (`app.db`). */
export interface NocoDatabase {
  /** A collection's repository, or with `sourceId` an association's (`users.roles`, a user id). */
  getRepository(name: string, sourceId?: unknown): Repository;
  getCollection(name: string): unknown;
  sequelize: { transaction<T>(run: (transaction: unknown) => Promise<T>): Promise<T> };
  on(event: string, listener: (...args: any[]) => unknown): void;
}

/** An authenticator row: plugin-auth's AuthModel. */
export interface AuthenticatorModel extends UserModel {
  findUser(uuid: string): Promise<UserModel | undefined>;
  newUser(uuid: string, values: Record<string, unknown>): Promise<UserModel>;
}

/** NocoBase's cache (`app.cacheManager.createCache`): ttl in milliseconds. */
export interface NocoCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** The Koa context of a NocoBase action, as far as the plugin reads it. */
export interface NocoContext {
  app: any;
  db: NocoDatabase;
  query: Record<string, unknown>;
  protocol: string;
  host: string;
  method: string;
  status: number;
  type: string;
  body: unknown;
  withoutDataWrapping?: boolean;
  reqId?: string;
  logger: { info(message: string, meta?: object): void; warn(message: string, meta?: object): void; error(message: string, meta?: object): void };
  cookies: { get(name: string): string | undefined; set(name: string, value: string | null, options?: Record<string, unknown>): void };
  get(header: string): string;
  set(header: string, value: string): void;
  redirect(url: string): void;
  throw(status: number, message?: string): never;
  request?: { body?: unknown };
  getBearerToken(): string | undefined;
  auth?: unknown;
}
