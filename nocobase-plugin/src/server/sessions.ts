/**
 * Ending every NocoBase session of a user at once, the way NocoBase 2.2 does it when a password
 * changes (@nocobase/plugin-users `users.beforeUpdate`, checked by @nocobase/auth's
 * `BaseAuth.checkToken`): the user's `passwordChangeTz` is set to now, so every token issued
 * before it (its `iat`) answers 401 from the next request on, renewal included; the user's rows of
 * `issuedTokens` (NocoBase's token control: one per session, the jti a renewal needs) are removed,
 * and the cached user and roles are dropped (`cache:del:auth`, `cache:del:roles`, and the `auth:<id>`
 * entry BaseAuth reads) so that no process keeps the old record.
 */
import type { Database, Model } from './nocobase-types.js';

/** The part of NocoBase's application this needs. */
export interface SessionsApp {
  readonly db: Database;
  readonly cache: { del(key: string): Promise<unknown> };
  emitAsync(event: string, ...args: unknown[]): Promise<unknown>;
}

/**
 * Ends the sessions of every user that one of `authenticators` binds to `sub`
 * (`usersAuthenticators`); returns how many users that was (for the log only: the answer to the
 * provider never says).
 */
export async function endSessionsOfSubject(
  app: SessionsApp,
  authenticators: readonly string[],
  sub: string,
): Promise<number> {
  const links: Model[] = await app.db
    .getRepository('usersAuthenticators')
    .find({ filter: { authenticator: { $in: [...authenticators] }, uuid: sub } });
  const userIds = [...new Set(links.map((link) => link.get('userId') as number | string))];
  for (const userId of userIds) await endSessionsOfUser(app, userId);
  return userIds.length;
}

/** Every token of `userId` issued until now stops working at once. */
export async function endSessionsOfUser(app: SessionsApp, userId: number | string): Promise<void> {
  const now = Date.now();
  await app.db.getRepository('users').update({ filterByTk: userId, values: { passwordChangeTz: now } });
  await app.db.getRepository('issuedTokens').destroy({ filter: { userId, signInTime: { $lte: now } } });
  await app.emitAsync('cache:del:roles', { userId });
  await app.emitAsync('cache:del:auth', { userId });
  await app.cache.del(`auth:${userId}`);
}
