/**
 * Claims from a WeCom member, by scope (pure functions), shaped by the claims settings
 * (SUB_FORMAT, USERNAME_FROM, EMAIL_FALLBACK_TEMPLATE, GROUP_NAMES).
 *
 * Missing values are omitted, never null or "". `username`, `nickname` and `phone` are emitted
 * beside the standard claims because NocoBase's OIDC authenticator reads those keys unmapped.
 */
import type { ClaimsConfig, RequiredClaim } from '../config/types.js';
import type { WeComUser } from '../wecom/identity.js';

/** Scopes the bridge understands. */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'phone', 'groups', 'offline_access'] as const;

/** Every claim the bridge can emit (discovery `claims_supported`). */
export const SUPPORTED_CLAIMS = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'sid',
  'name',
  'nickname',
  'preferred_username',
  'username',
  'picture',
  'gender',
  'email',
  'email_verified',
  'phone_number',
  'phone_number_verified',
  'phone',
  'groups',
  'group_names',
] as const;

/** What claim shaping needs from the configuration. */
export interface ClaimsSettings {
  readonly wecom: { readonly corpId: string };
  readonly claims: ClaimsConfig;
}

/**
 * NocoBase's username rule (its `validateUsername`): 1–50 characters, none of `@ . < > " ' /`;
 * others fail its sign-up. (Issue 5 listed the characters without the dot; NocoBase's own rule
 * has it, and a value it refuses breaks the sign-up, so its rule wins.)
 */
const NOCOBASE_USERNAME = /^[^@.<>"'/]{1,50}$/;

/** A plausible address: one `@`, no spaces, a dotted domain. */
const EMAIL = /^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/**
 * The OIDC `sub` of a member. `corpid:userid` keeps subjects unique if a site later accepts
 * several corps (userids are only unique within one corp). Every comparison of subjects (ID
 * token, userinfo, id_token_hint) goes through this function.
 */
export function subjectOf(settings: ClaimsSettings, userid: string): string {
  return settings.claims.subFormat === 'corpid:userid' ? `${settings.wecom.corpId}:${userid}` : userid;
}

/** The claims `/userinfo` returns for `user` under `scopes`. */
export function userinfoClaims(
  user: WeComUser,
  scopes: readonly string[],
  settings: ClaimsSettings,
): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: subjectOf(settings, user.userid) };
  if (scopes.includes('profile')) Object.assign(claims, profileClaims(user, settings.claims));
  if (scopes.includes('profile') || scopes.includes('groups'))
    Object.assign(claims, groupClaims(user, settings.claims));
  if (scopes.includes('email')) Object.assign(claims, emailClaims(user, settings.claims));
  if (scopes.includes('phone')) Object.assign(claims, phoneClaims(user.mobile));
  return omitEmpty(claims);
}

/** REQUIRE_CLAIMS entries this member's login would lack (whatever scopes the RP asked for). */
export function missingRequiredClaims(user: WeComUser, settings: ClaimsSettings): RequiredClaim[] {
  const available = userinfoClaims(user, ['openid', 'email', 'phone'], settings);
  return settings.claims.requireClaims.filter((claim) => available[claim] === undefined);
}

function profileClaims(user: WeComUser, config: ClaimsConfig): Record<string, unknown> {
  return {
    name: user.name,
    // NocoBase shows nickname → name → username; WeCom's display name is `name`.
    nickname: user.name,
    preferred_username: user.userid,
    username: usernameOf(user, config),
    picture: user.avatar,
    gender: user.gender === '1' ? 'male' : user.gender === '2' ? 'female' : undefined,
  };
}

/**
 * USERNAME_FROM. NocoBase creates users with this value and refuses the sign-up when it breaks its
 * rule, so an invalid value is omitted rather than sent.
 */
function usernameOf(user: WeComUser, config: ClaimsConfig): string | undefined {
  let candidate: string | undefined;
  if (config.usernameFrom === 'mobile') candidate = phoneClaims(user.mobile).phone as string | undefined;
  else if (config.usernameFrom === 'email_local_part')
    candidate = (emailClaims(user, config).email as string | undefined)?.split('@')[0];
  else candidate = user.userid;
  return candidate !== undefined && NOCOBASE_USERNAME.test(candidate) ? candidate : undefined;
}

/** `groups`: department ids as strings (the contract); `group_names` only with GROUP_NAMES. */
function groupClaims(user: WeComUser, config: ClaimsConfig): Record<string, unknown> {
  const groups = user.departments.map(String);
  if (!config.groupNames || !user.departmentNames) return { groups };
  const names = user.departmentNames;
  return {
    groups,
    group_names: groups
      .map((id) => names[id])
      .filter((name): name is string => typeof name === 'string' && name !== ''),
  };
}

/**
 * The corporate mailbox first: WeCom vouches for it, so it alone is `email_verified: true`. Then
 * the personal address (WeCom does not verify it), then the EMAIL_FALLBACK_TEMPLATE address
 * (made up by the bridge, so never verified; omitted when the userid makes it malformed).
 */
function emailClaims(user: WeComUser, config: ClaimsConfig): Record<string, unknown> {
  if (user.bizMail) return { email: user.bizMail, email_verified: true };
  if (user.email) return { email: user.email, email_verified: false };
  const fallback = config.emailFallbackTemplate?.replace('{userid}', user.userid);
  if (fallback !== undefined && EMAIL.test(fallback)) return { email: fallback, email_verified: false };
  return {};
}

/**
 * `phone_number` is E.164 (`+8613800138000`: WeCom gives mainland numbers without a country
 * code, so +86 is added when none is given; `00` counts as `+`, and the trunk prefix `0` of a
 * mainland national number is not part of it: `010 1234 5678` is `+861012345678`); `phone` is the
 * number as NocoBase stores it (mainland numbers without `+86`, as given; others in E.164).
 * Spaces, dashes and brackets are removed; anything that is not then 5–20 digits (with an
 * optional leading `+`) is omitted.
 *
 * `phone_number_verified` is always `true` beside `phone_number`: WeCom returns the member's
 * mobile as the corp's own directory holds it (maintained by its administrators, the number the
 * member's WeCom account is tied to), never a value the person typed in at a relying party.
 * NocoBase's plugin binds existing users by phone only when it is true.
 */
export function phoneClaims(mobile: string | undefined): Record<string, unknown> {
  if (!mobile) return {};
  const compact = mobile.replace(/[\s()-]/g, '');
  if (!/^\+?\d{5,20}$/.test(compact)) return {};
  const international = compact.startsWith('+')
    ? compact
    : compact.startsWith('00')
      ? `+${compact.slice(2)}`
      : undefined;
  if (international === undefined)
    return { phone_number: `+86${compact.replace(/^0/, '')}`, phone_number_verified: true, phone: compact };
  return {
    phone_number: international,
    phone_number_verified: true,
    phone: international.startsWith('+86') ? international.slice(3) : international,
  };
}

function omitEmpty(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(claims).filter(
      ([, value]) =>
        value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0),
    ),
  );
}
