/**
 * From a resolved WeCom login to the member who signs in: the access policy first (a refused
 * member leaves nothing behind), then profile memory (store or forget this consent, fill a desktop
 * login from an earlier one), then department names when GROUP_NAMES asks for them.
 */
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';
import type { StoreWrite } from '../store/store.js';
import { type DepartmentWarn, departmentNames } from '../wecom/departments.js';
import type { ResolvedMember, WeComUser } from '../wecom/identity.js';
import { assertMemberAllowed } from '../wecom/policy.js';
import { applyProfileMemory } from '../wecom/profiles.js';

/** An admitted member and what the caller must store for it. */
export interface Admission {
  readonly user: WeComUser;
  /** The consent to remember (profile memory); empty when there is none. */
  readonly writes: readonly StoreWrite[];
}

/** Applies the login rules to `resolved`; throws `access_denied` for members outside the policy. */
export async function admitMember(
  context: BridgeContext,
  resolved: ResolvedMember,
  warn: DepartmentWarn,
): Promise<Admission> {
  await assertMemberAllowed(context, resolved.user, warn);
  const { user, remember } = await applyProfileMemory(context, resolved);
  const writes = remember === undefined ? [] : [remember];
  return { user: await withGroupNames(context, user, warn), writes };
}

/**
 * `user` with the names of its departments when GROUP_NAMES asks for them (else unchanged). Names
 * are a convenience: a failing department/list costs the names, never the login or the refresh.
 */
export async function withGroupNames(
  context: BridgeContext,
  user: WeComUser,
  warn: DepartmentWarn,
): Promise<WeComUser> {
  return context.config.claims.groupNames ? withDepartmentNames(context, user, warn) : user;
}

async function withDepartmentNames(context: BridgeContext, user: WeComUser, warn: DepartmentWarn): Promise<WeComUser> {
  try {
    const names = await departmentNames(context, warn);
    const own = Object.fromEntries(
      user.departments
        .map(String)
        .filter((id) => names[id] !== undefined)
        .map((id) => [id, names[id]!]),
    );
    return { ...user, departmentNames: own };
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    warn('department names unavailable; group_names omitted', { reason: error.reason });
    return user;
  }
}
