/**
 * From the provider's claims to NocoBase's user fields: the values an existing user is found by,
 * and the values of a new user. Pure functions.
 */
import type { BindField } from './options.js';

/** The claims the plugin reads (standard OpenID Connect names, as the bridge emits them). */
export interface PersonClaims {
  readonly sub: string;
  readonly name?: unknown;
  readonly nickname?: unknown;
  readonly preferred_username?: unknown;
  readonly email?: unknown;
  readonly email_verified?: unknown;
  readonly phone_number?: unknown;
  readonly phone_number_verified?: unknown;
}

/**
 * The phone numbers a NocoBase user may have stored for a verified `phone_number` (E.164): the
 * number itself, and for mainland numbers also without `+86` (NocoBase and its WeCom plugin store
 * `13800000000`). Only `+86` is ever dropped: `+1 385 555 1234` is not the mainland `13855551234`.
 * Empty unless the provider vouches for the number (`phone_number_verified: true`).
 */
export function phoneCandidates(claims: PersonClaims): string[] {
  const e164 = verifiedPhone(claims);
  if (!e164) return [];
  return e164.startsWith('+86') ? [e164, e164.slice(3)] : [e164];
}

/** The phone a new user gets: mainland numbers as NocoBase stores them (no `+86`), others E.164. */
export function storedPhone(claims: PersonClaims): string | undefined {
  const e164 = verifiedPhone(claims);
  if (!e164) return undefined;
  return e164.startsWith('+86') ? e164.slice(3) : e164;
}

/** `phone_number` in E.164 when verified and well-formed (a `+`, then 5 to 20 digits). */
function verifiedPhone(claims: PersonClaims): string | undefined {
  if (claims.phone_number_verified !== true || typeof claims.phone_number !== 'string') return undefined;
  const phone = claims.phone_number.replace(/[\s()-]/g, '');
  return /^\+\d{5,20}$/.test(phone) ? phone : undefined;
}

/** The email to find a user by: only one the provider vouches for (`email_verified: true`). */
export function verifiedEmail(claims: PersonClaims): string | undefined {
  return claims.email_verified === true ? email(claims) : undefined;
}

/** The email of the claims, trimmed, if it looks like one. */
export function email(claims: PersonClaims): string | undefined {
  const value = typeof claims.email === 'string' ? claims.email.trim() : '';
  return /^[^\s@]+@[^\s@]+$/.test(value) ? value : undefined;
}

/** An email as given and lower-cased: NocoBase compares exactly, people type either. */
export function emailVariants(value: string): string[] {
  return [...new Set([value, value.toLowerCase()])];
}

/** What to look an existing user up by for `field` (no values: the field cannot match). */
export function lookupValues(field: BindField, claims: PersonClaims): string[] {
  if (field === 'phone') return phoneCandidates(claims);
  if (field === 'email') {
    const value = verifiedEmail(claims);
    return value ? emailVariants(value) : [];
  }
  const username = text(claims.preferred_username);
  return username ? [username] : [];
}

/**
 * A new user's values before unique collisions are removed: only an email and a phone the provider
 * vouches for (an unverified address taken by a sign-up would block its real owner, and bind them
 * to this member later).
 */
export function newUserValues(claims: PersonClaims): {
  nickname: string;
  username?: string;
  email?: string;
  phone?: string;
} {
  const nickname = text(claims.name) || text(claims.nickname) || text(claims.preferred_username) || claims.sub;
  return {
    nickname: nickname.slice(0, 255),
    username: text(claims.preferred_username),
    email: verifiedEmail(claims),
    phone: storedPhone(claims),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
