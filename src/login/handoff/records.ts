/**
 * The QR hand-off's stored state.
 *
 * A desktop login that lacks a REQUIRE_CLAIMS value becomes a hand-off: a random handle `h`
 * (in the desktop page's URL, useless without the desktop browser's binding cookie) and a scan
 * token derived from it (in the QR code). The store holds neither: the record lives under
 * SHA-256(h) and the scan index under SHA-256(scan token), which points at SHA-256(h). Whoever
 * reads the store can neither open the desktop page nor scan the code.
 *
 * Life of a record: `pending` → (a phone opens the code) `scanned` → `done` (the desktop's member
 * signed in on the phone and the consent gave what was missing) or `failed` (that member's
 * consent did not); the desktop then takes a `done` record exactly once. Opening the code, or a
 * phone signed in as someone else, uses nothing up: the hand-off is used (once) when the phone's
 * login is the desktop's member.
 */
import type { RequiredClaim } from '../../config/types.js';
import { sha256 } from '../../crypto/secrets.js';
import type { OAuthErrorCode } from '../../errors/bridge-error.js';
import type { AuthRequest } from '../../oidc/records.js';
import { type Store, storeKey } from '../../store/store.js';
import type { WeComUser } from '../../wecom/identity.js';

/** Where a hand-off stands. */
export type HandoffStatus = 'pending' | 'scanned' | 'done' | 'failed';

/** A pending desktop login waiting for the phone. */
export interface HandoffRecord {
  /** The relying party's request, answered on the desktop once the phone is done. */
  readonly request: AuthRequest;
  /** Hash of the desktop browser's binding cookie: only that browser may wait and continue. */
  readonly bindingHash: string;
  /** The member who signed in on the desktop; the phone must be the same member. */
  readonly userid: string;
  readonly missing: readonly RequiredClaim[];
  readonly status: HandoffStatus;
  /** When `failed`: the OAuth error and reason the desktop reports. */
  readonly failure?: { readonly code: OAuthErrorCode; readonly reason: string };
  /** When `done`: the member as the phone's login resolved them (with the consented profile). */
  readonly user?: WeComUser;
  /** Epoch ms after which the hand-off is dead (updates keep this deadline). */
  readonly expiresAt: number;
}

/** What the scan index holds: the record key's hash. */
export interface ScanIndex {
  readonly handoff: string;
}

/** The scan token of handle `h`: derived, so the desktop page can redraw its code any time. */
export function scanTokenOf(handle: string): string {
  return sha256(`wecom-oidc-bridge handoff scan\n${handle}`);
}

/** Store keys of the hand-off. */
export const handoffKeys = {
  /** The record, under the hash of the desktop handle (`id` = {@link handleId}). */
  record: (id: string) => storeKey('handoff', id),
  /** The scan index, under the hash of the scan token. */
  scan: (scanToken: string) => storeKey('handoff-scan', sha256(scanToken)),
  /** The "used by its member" mark, under the record's id: claimed once. */
  used: (id: string) => storeKey('handoff-used', id),
};

/** Whether the phone may still complete `record` (nobody has completed or failed it). */
export function handoffOpen(record: HandoffRecord): boolean {
  return record.status === 'pending' || record.status === 'scanned';
}

/** The id a record is stored under (and the phone's transaction points at). */
export function handleId(handle: string): string {
  return sha256(handle);
}

/** Seconds left until `expiresAt` (at least 1, so a last update never means "forever"). */
export function secondsLeft(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) / 1000));
}

/** Rewrites a record with `patch`, keeping its deadline. */
export async function updateHandoff(
  store: Store,
  id: string,
  record: HandoffRecord,
  patch: Partial<HandoffRecord>,
  now: number,
): Promise<void> {
  if (record.expiresAt <= now) return;
  await store.set(handoffKeys.record(id), { ...record, ...patch }, secondsLeft(record.expiresAt, now));
}
