/**
 * The one place where an existing grant is checked against WeCom again before new tokens are
 * issued for it (refresh). Whatever else must hold for a member to keep signing in (an access
 * policy, say) belongs here too, so that every re-check path applies it.
 */
import type { BridgeContext } from '../context.js';
import { BridgeError, invalidGrant } from '../errors/bridge-error.js';
import type { DepartmentWarn } from '../wecom/departments.js';
import { recheckWeComUser, refreshedUser, type WeComUser } from '../wecom/identity.js';
import { assertMemberAllowed } from '../wecom/policy.js';
import { revokeGrant } from './access-tokens.js';
import { withGroupNames } from './admission.js';
import type { GrantData } from './records.js';

/**
 * Re-reads the member of `grant` (`user/get`) and returns them with a fresh profile (department
 * names again when GROUP_NAMES asks for them: the directory entry carries only ids).
 *
 * A member WeCom refuses (disabled, not activated, departed, deleted, out of the app's visible
 * range) or the access policy no longer admits (WECOM_ALLOWED_USERS / _DEPARTMENTS) ends the grant: the family is revoked and the caller gets `invalid_grant`
 * (RFC 6749 §5.2: the grant is no longer valid). WeCom being unreachable or misconfigured is
 * not the member's fault: that error passes through (503/502) and the refresh token stays usable.
 */
export async function recheckMember(
  context: BridgeContext,
  grant: Pick<GrantData, 'grantId' | 'user'>,
  warn: DepartmentWarn,
): Promise<WeComUser> {
  try {
    const user = refreshedUser(grant.user, await recheckWeComUser(context.wecom, grant.user.userid));
    await assertMemberAllowed(context, user, warn);
    return await withGroupNames(context, user, warn);
  } catch (error) {
    if (!(error instanceof BridgeError) || error.code !== 'access_denied') throw error;
    await revokeGrant(context, grant.grantId, error.reason);
    throw invalidGrant('The member may no longer sign in; the grant is revoked', error.reason);
  }
}
