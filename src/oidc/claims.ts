/**
 * Claims from a WeCom member, by scope (pure functions).
 *
 * Missing values are omitted, never null or "". `username`, `nickname` and `phone` are emitted
 * beside the standard claims because NocoBase's OIDC authenticator reads those keys unmapped.
 */
import type { WeComUser } from '../wecom/identity.js';

/** Scopes the bridge understands. */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'phone', 'groups', 'offline_access'] as const;

/** Every claim the bridge can emit (discovery `claims_supported`). */
export const SUPPORTED_CLAIMS = [
  'sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid',
  'name', 'nickname', 'preferred_username', 'username', 'picture', 'gender',
  'email', 'email_verified', 'phone_number', 'phone', 'groups',
] as const;

/** NocoBase's username rule: 1–50 characters, none of `@ < > " ' /`; others fail its sign-up. */
const NOCOBASE_USERNAME = /^[^@<>"'/]{1,50}$/;

/** The claims `/userinfo` returns for `user` under `scopes`. */
export function userinfoClaims(user: WeComUser, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.userid };
  if (scopes.includes('profile')) Object.assign(claims, profileClaims(user));
  if (scopes.includes('profile') || scopes.includes('groups')) claims.groups = user.departments.map(String);
  if (scopes.includes('email')) Object.assign(claims, emailClaims(user));
  if (scopes.includes('phone')) Object.assign(claims, phoneClaims(user.mobile));
  return omitEmpty(claims);
}

function profileClaims(user: WeComUser): Record<string, unknown> {
  return {
    name: user.name,
    // NocoBase shows nickname → name → username; WeCom's display name is `name`.
    nickname: user.name,
    preferred_username: user.userid,
    username: NOCOBASE_USERNAME.test(user.userid) ? user.userid : undefined,
    picture: user.avatar,
    gender: user.gender === '1' ? 'male' : user.gender === '2' ? 'female' : undefined,
  };
}

/** The corporate mailbox first: WeCom vouches for it, so it alone is `email_verified: true`. */
function emailClaims(user: WeComUser): Record<string, unknown> {
  if (user.bizMail) return { email: user.bizMail, email_verified: true };
  if (user.email) return { email: user.email, email_verified: false };
  return {};
}

/**
 * `phone_number` is E.164 (`+8613800138000`: WeCom gives mainland numbers without a country
 * code); `phone` is the number as NocoBase stores it (mainland numbers without `+86`).
 */
export function phoneClaims(mobile: string | undefined): Record<string, unknown> {
  if (!mobile) return {};
  const compact = mobile.replace(/[\s()-]/g, '');
  if (!/^\+?\d{5,20}$/.test(compact)) return {};
  const e164 = compact.startsWith('+') ? compact : `+86${compact}`;
  const phone = e164.startsWith('+86') ? e164.slice(3) : e164;
  return { phone_number: e164, phone };
}

function omitEmpty(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(claims).filter(([, value]) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)),
  );
}
