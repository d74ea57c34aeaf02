/**
 * The access policy: who may sign in, beyond being an active member in the app's visible range.
 *
 * WECOM_ALLOWED_USERS (userids, case-insensitive) and WECOM_ALLOWED_DEPARTMENTS (department ids,
 * sub-departments included): a member on either list may sign in; with both empty, everyone may.
 * {@link assertMemberAllowed} is the one check, used at login and on refresh (with a fresh user/get
 * answer: `recheckMember` in src/oidc/member-check.ts).
 */
import { accessDenied } from '../errors/bridge-error.js';
import { type DepartmentContext, type DepartmentWarn, departmentTree } from './departments.js';
import type { WeComUser } from './identity.js';

/** What the policy needs: the configuration, the store (department cache) and the WeCom client. */
export type PolicyContext = DepartmentContext;

/** The member facts the policy looks at. */
export type PolicySubject = Pick<WeComUser, 'userid' | 'departments'>;

const silent: DepartmentWarn = () => {};

/**
 * Refuses a member outside the policy with `access_denied` (reason `policy_denied`).
 * @param member userid and department ids, from a login or a fresh user/get answer
 */
export async function assertMemberAllowed(
  context: PolicyContext,
  member: PolicySubject,
  warn: DepartmentWarn = silent,
): Promise<void> {
  const { allowedUsers, allowedDepartments } = context.config.policy;
  if (allowedUsers.length === 0 && allowedDepartments.length === 0) return;
  if (allowedUsers.includes(member.userid.toLowerCase())) return;
  if (await inAllowedDepartment(context, member.departments, warn)) return;
  throw accessDenied('This WeCom account is not allowed to sign in to this application', 'policy_denied', {
    hint: 'The member is neither in WECOM_ALLOWED_USERS nor in (a sub-department of) WECOM_ALLOWED_DEPARTMENTS',
    details: { policy: 'allowed_users_departments' },
  });
}

async function inAllowedDepartment(
  context: PolicyContext,
  departments: readonly number[],
  warn: DepartmentWarn,
): Promise<boolean> {
  const { allowedDepartments } = context.config.policy;
  if (allowedDepartments.length === 0 || departments.length === 0) return false;
  // Direct membership needs no WeCom call.
  if (departments.some((id) => allowedDepartments.includes(id))) return true;
  for (const allowed of allowedDepartments) {
    const tree = await departmentTree(context, allowed, warn);
    if (departments.some((id) => tree.includes(id))) return true;
  }
  return false;
}
