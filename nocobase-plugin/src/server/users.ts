/**
 * Finding the NocoBase user of a verified sign-in: this authenticator's binding for `sub`; else the
 * first `bindBy` field that matches an existing user (bound in one transaction); else, with
 * auto sign-up, a new user (NocoBase's own `newUser`, which also gives the default role).
 *
 * Automatic binding never takes an administrator's account (root, admin, or any role that may
 * configure NocoBase): whoever manages the WeCom directory is not thereby NocoBase's admin (a
 * member whose userid is `nocobase` would otherwise become root). Nor a user already bound to
 * another member by any authenticator of this type. Such links are made deliberately by an
 * administrator (docs/nocobase.md).
 */
import { emailVariants, lookupValues, newUserValues, type PersonClaims } from './claims.js';
import { SignInError } from './errors.js';
import type { AuthModel, Database, Model, Transaction } from './nocobase-types.js';
import type { BridgeOptions } from './options.js';

/** What the lookup needs from NocoBase. */
export interface UserDirectory {
  readonly db: Database;
  readonly authenticator: AuthModel;
  /** NocoBase's username rule (BaseAuth.validateUsername). */
  validUsername(username: string): boolean;
}

/** The user `claims` sign in as; throws `no_account` / `account_bound_elsewhere`. */
export async function resolveUser(
  directory: UserDirectory,
  claims: PersonClaims,
  options: BridgeOptions,
): Promise<Model> {
  const bound = await directory.authenticator.findUser(claims.sub);
  if (bound) return bound;
  const existing = await findByBindFields(directory, claims, options);
  if (existing) {
    if (await isAdministrator(directory, existing)) {
      throw new SignInError(
        'account_protected',
        `user ${String(existing.get('id'))} matches ${describeLookup(claims, options)} but has an administrator's role: never bound automatically`,
      );
    }
    await bind(directory, existing, claims.sub);
    return existing;
  }
  if (!options.autoSignup)
    throw new SignInError('no_account', `no user matches ${describeLookup(claims, options)} and auto sign-up is off`);
  return signUp(directory, claims);
}

async function findByBindFields(
  directory: UserDirectory,
  claims: PersonClaims,
  options: BridgeOptions,
): Promise<Model | undefined> {
  const users = directory.db.getRepository('users');
  for (const field of options.bindBy) {
    const values = lookupValues(field, claims);
    if (values.length === 0) continue;
    const user = await users.findOne({ filter: { [field]: { $in: values } } });
    if (user) return user;
  }
  return undefined;
}

/** The role names whose holders are administrators whatever their snippets say. */
const ADMIN_ROLES = ['root', 'admin'];

/** Whether `user` holds root, admin, or a role that may configure NocoBase (plugin settings). */
async function isAdministrator(directory: UserDirectory, user: Model): Promise<boolean> {
  const roles: Model[] = await directory.db.getRepository('users.roles', user.get('id')).find({});
  return roles.some((role) => {
    const snippets = role.get('snippets');
    return (
      ADMIN_ROLES.includes(String(role.get('name'))) ||
      role.get('allowConfigure') === true ||
      (Array.isArray(snippets) && snippets.some((s) => s === 'pm' || s === 'pm.*'))
    );
  });
}

/**
 * Binds `user` to `sub` unless an authenticator of this type (this one or another one, perhaps
 * in front of the same corp) already binds it to another member.
 */
async function bind(directory: UserDirectory, user: Model, sub: string): Promise<void> {
  const name = directory.authenticator.get('name') as string;
  const links = directory.db.getRepository('usersAuthenticators');
  const sameType: Model[] = await directory.db
    .getRepository('authenticators')
    .find({ filter: { authType: directory.authenticator.get('authType') } });
  const names = [...new Set([name, ...sameType.map((row) => String(row.get('name')))])];
  await directory.db.sequelize.transaction(async (transaction: Transaction) => {
    const other = await links.findOne({
      filter: { authenticator: { $in: names }, userId: user.get('id'), uuid: { $ne: sub } },
      transaction,
    });
    if (other)
      throw new SignInError(
        'account_bound_elsewhere',
        `user ${String(user.get('id'))} is already bound to another member (authenticator ${String(other.get('authenticator'))})`,
      );
    await links.create({ values: { authenticator: name, userId: user.get('id'), uuid: sub }, transaction });
  });
}

/** A new user with the claims' values, leaving out any that another user already has. */
async function signUp(directory: UserDirectory, claims: PersonClaims): Promise<Model> {
  const users = directory.db.getRepository('users');
  const wanted = newUserValues(claims);
  const values: Record<string, string> = { nickname: wanted.nickname };
  if (
    wanted.username &&
    directory.validUsername(wanted.username) &&
    !(await users.findOne({ filter: { username: wanted.username } }))
  )
    values.username = wanted.username;
  if (wanted.email && !(await users.findOne({ filter: { email: { $in: emailVariants(wanted.email) } } })))
    values.email = wanted.email;
  if (wanted.phone && !(await users.findOne({ filter: { phone: wanted.phone } }))) values.phone = wanted.phone;
  return directory.authenticator.newUser(claims.sub, values);
}

function describeLookup(claims: PersonClaims, options: BridgeOptions): string {
  const tried = options.bindBy.filter((field) => lookupValues(field, claims).length > 0);
  return tried.length
    ? `its ${tried.join(' or ')}`
    : `any of ${options.bindBy.join(', ') || 'no bind fields'} (the claims carry none of them)`;
}
