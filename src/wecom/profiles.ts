/**
 * Profile memory: the member's consented profile (mobile, email, corporate mailbox, avatar,
 * gender), kept from in-client logins so that later desktop logins, which WeCom answers with a
 * userid only (apps created after 2022-06-20), still carry `phone_number` and `email`.
 *
 * Rules (privacy trade-offs are documented in the README):
 * - only what the member consented to is kept, for PROFILE_TTL (0 keeps nothing);
 * - each in-client consent replaces the stored profile and restarts its lifetime; reading it on a
 *   desktop login does not extend it, so data is re-consented at least every PROFILE_TTL;
 * - a consent that shares nothing deletes the stored profile (the member withdrew it);
 * - fresh values from WeCom always win; the memory only fills what this login lacks.
 *
 * The key is a hash of corp ID and lower-cased userid (WeCom userids are case-insensitive): it
 * keeps userids out of key listings, but userids are guessable, so it is no anonymisation.
 */
import type { FirstLoginConfig } from '../config/types.js';
import { sha256 } from '../crypto/secrets.js';
import { type Store, type StoreWrite, storeKey } from '../store/store.js';
import type { ConsentedProfile, ResolvedMember, WeComUser } from './identity.js';

/** What profile memory needs. */
export interface ProfileContext {
  readonly config: { readonly wecom: { readonly corpId: string }; readonly firstLogin: FirstLoginConfig };
  readonly store: Store;
  readonly now: () => number;
}

/** A remembered profile. */
export interface StoredProfile extends ConsentedProfile {
  /** Epoch ms of the consent it comes from. */
  readonly consentedAt: number;
}

const FIELDS = ['mobile', 'email', 'bizMail', 'avatar', 'gender'] as const;

/** Store key of a member's profile. */
export function profileKey(corpId: string, userid: string): string {
  return storeKey('profile', sha256(`${corpId}\n${userid.toLowerCase()}`));
}

/** The member to sign in, and the write that remembers this login's consent (if it gave one). */
export interface ProfileOutcome {
  readonly user: WeComUser;
  /** Stored by the caller, with the login's own writes (one store round trip for both). */
  readonly remember?: StoreWrite;
}

/**
 * Applies what this login's consent said: a given consent is to be remembered (returned as a
 * write), a declined one forgets the stored profile now, no consent step fills the member's gaps
 * from the stored profile.
 */
export async function applyProfileMemory(context: ProfileContext, resolved: ResolvedMember): Promise<ProfileOutcome> {
  const { user, consent } = resolved;
  const ttl = context.config.firstLogin.profileTtl;
  if (ttl === 0) return { user };
  const key = profileKey(context.config.wecom.corpId, user.userid);
  if (consent.kind === 'given') {
    const stored: StoredProfile = { ...consent.profile, consentedAt: context.now() };
    return { user, remember: { key, value: stored, ttlSeconds: ttl } };
  }
  if (consent.kind === 'declined') {
    await context.store.delete(key);
    return { user };
  }
  return { user: withProfile(user, await context.store.get<StoredProfile>(key)) };
}

/** Fills the fields `user` lacks from `profile` (never overrides a fresh value). */
export function withProfile(user: WeComUser, profile: StoredProfile | undefined): WeComUser {
  if (!profile) return user;
  const filled: Record<string, unknown> = { ...user };
  for (const field of FIELDS) {
    if (filled[field] === undefined && profile[field] !== undefined) filled[field] = profile[field];
  }
  return filled as unknown as WeComUser;
}
