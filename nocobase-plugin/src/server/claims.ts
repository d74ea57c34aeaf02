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
 * The phone numbers a NocoBase user may have stored for `phone_number` (E.164): the number
 * itself, without `+`, and for mainland numbers without `+86` (NocoBase and its WeCom plugin
 * store `13800000000`). Empty when the provider says the number is not verified.
 */
export function phoneCandidates(claims: PersonClaims): string[] {
  const phone = typeof claims.phone_number === 'string' ? claims.phone_number.replace(/[\s()-]/g, '') : '';
  if (!/^\+?\d{5,20}$/.test(phone) || claims.phone_number_verified === false) return [];
  const e164 = phone.startsWith('+') ? phone : `+${phone}`;
  const candidates = [e164, e164.slice(1)];
  if (e164.startsWith('+86')) candidates.push(e164.slice(3));
  return [...new Set(candidates)];
}

/** The phone a new user gets: mainland numbers as NocoBase stores them (no `+86`), others E.164. */
export function storedPhone(claims: PersonClaims): string | undefined {
  const [e164] = phoneCandidates(claims);
  if (!e164) return undefined;
  return e164.startsWith('+86') ? e164.slice(3) : e164;
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

/** A new user's values before unique collisions are removed. */
export function newUserValues(claims: PersonClaims): { nickname: string; username?: string; email?: string; phone?: string } {
  const nickname = text(claims.name) || text(claims.nickname) || text(claims.preferred_username) || claims.sub;
  return { nickname: nickname.slice(0, 255), username: text(claims.preferred_username), email: email(claims), phone: storedPhone(claims) };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
