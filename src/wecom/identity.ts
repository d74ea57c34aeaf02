/**
 * From a WeCom code to one normalised member: `auth/getuserinfo`, then `auth/getuserdetail` when a
 * user_ticket came with the code (in-client consent), then `user/get` for the name, departments
 * and status. Claims are made from the result later (oidc/claims.ts), never here.
 */
import { accessDenied } from '../errors/bridge-error.js';
import type { CodeInfo, WeComClient } from './client.js';
import { WeComApiError } from './errors.js';
import type { WeComAnswer } from './http.js';

/** A WeCom member as the bridge knows them after a login. */
export interface WeComUser {
  /** WeCom userid, exactly as getuserinfo spelled it (the OIDC `sub`). */
  readonly userid: string;
  readonly name?: string;
  readonly alias?: string;
  readonly mobile?: string;
  /** Personal email (not vouched for by WeCom). */
  readonly email?: string;
  /** Corporate mailbox (企业邮箱), vouched for by WeCom. */
  readonly bizMail?: string;
  readonly avatar?: string;
  /** '1' male, '2' female; unknown is omitted. */
  readonly gender?: '1' | '2';
  /** Department ids the app can see. */
  readonly departments: readonly number[];
  /** Names of those departments by id (only with GROUP_NAMES, when the app may read them). */
  readonly departmentNames?: Readonly<Record<string, string>>;
  readonly position?: string;
}

/** The fields of the in-client consent (auth/getuserdetail), as the profile memory keeps them. */
export interface ConsentedProfile {
  readonly mobile?: string;
  readonly email?: string;
  readonly bizMail?: string;
  readonly avatar?: string;
  readonly gender?: '1' | '2';
}

/**
 * What this login said about the member's consent:
 * - `none`: no consent step ran (web login, snsapi_base, or an unusable ticket);
 * - `declined`: the consent ran but shared nothing (the member chose 不提供, or the admin selected
 *   no field in the app's privacy settings);
 * - `given`: the consented fields.
 */
export type ConsentOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'declined' }
  | { readonly kind: 'given'; readonly profile: ConsentedProfile };

/** A resolved login: the member and what the consent step yielded. */
export interface ResolvedMember {
  readonly user: WeComUser;
  readonly consent: ConsentOutcome;
}

/** Logs what a login skipped (e.g. an expired ticket) without failing it. */
export type IdentityWarn = (message: string, details: Record<string, unknown>) => void;

const STATUS_REASONS: Record<number, [reason: string, description: string]> = {
  2: ['wecom_user_disabled', 'This WeCom account is disabled'],
  4: ['wecom_user_inactive', 'This WeCom account is not activated yet'],
  5: ['wecom_user_departed', 'This WeCom account has left the organisation'],
};

/**
 * Resolves the member behind a WeCom code; refuses non-members and inactive members.
 * @param exchange makes the code exchange (getuserinfo), the one call a made-up code reaches: the
 * callback runs it, and only it, under its WeCom-quota reservation (wecom-code-guard.ts).
 */
export async function resolveWeComUser(
  client: WeComClient,
  code: string,
  warn: IdentityWarn,
  exchange: (code: string) => Promise<CodeInfo> = (c) => client.getUserInfo(c),
): Promise<ResolvedMember> {
  const info = await exchange(code);
  if (!info.userid) {
    throw accessDenied('Only members of this organisation can sign in', 'wecom_not_member');
  }
  // Both need only the code's answer: one WeCom round trip instead of two (a login's latency is
  // mostly WeCom's). Settled, not raced, so that when both fail the detail's error is reported,
  // as it would be called first.
  const [detailResult, memberResult] = await Promise.allSettled([
    info.userTicket ? readDetail(client, info.userTicket, warn) : undefined,
    client.getUser(info.userid),
  ]);
  const detail = settledValue(detailResult);
  const member = settledValue(memberResult);
  assertActive(member);
  return { user: normalise(info.userid, member, detail ?? {}), consent: consentOf(detail) };
}

/** Re-reads a member (refresh, policy re-check): refuses departed and inactive members. */
export async function recheckWeComUser(client: WeComClient, userid: string): Promise<WeComAnswer> {
  const member = await client.getUser(userid);
  assertActive(member);
  return member;
}

/** Fields WeCom gives only with the member's in-client consent (or to apps created before 2022-06-20). */
const CONSENTED_FIELDS = ['mobile', 'email', 'bizMail', 'avatar', 'gender'] as const;

/**
 * The member after a re-check (`user/get` answer): name, departments and position fresh from the
 * directory; the consented fields from the directory when it carries them, else kept from the
 * login (apps created after 2022-06-20 never get them from `user/get`).
 */
export function refreshedUser(previous: WeComUser, member: WeComAnswer): WeComUser {
  const fresh = normalise(previous.userid, member, {});
  const kept = Object.fromEntries(
    CONSENTED_FIELDS.filter((key) => previous[key] !== undefined).map((key) => [key, previous[key]]),
  );
  return { ...kept, ...fresh };
}

/** A ticket that expired or is unknown costs only the consented fields, not the login. */
async function readDetail(client: WeComClient, ticket: string, warn: IdentityWarn): Promise<WeComAnswer | undefined> {
  try {
    return await client.getUserDetail(ticket);
  } catch (error) {
    if (error instanceof WeComApiError && error.action === 'ticket') {
      warn('user_ticket unusable; continuing without the consented profile', { errcode: error.errcode });
      return undefined;
    }
    throw error;
  }
}

/**
 * getuserdetail answers even when the member shared nothing: then only `gender` "0" and the
 * default avatar come back. Mobile, a mailbox or a gender mean a real consent.
 */
function consentOf(detail: WeComAnswer | undefined): ConsentOutcome {
  if (detail === undefined) return { kind: 'none' };
  const gender = text(detail.gender);
  const profile: Record<string, unknown> = {
    mobile: text(detail.mobile),
    email: text(detail.email),
    bizMail: text(detail.biz_mail),
    avatar: text(detail.avatar),
    gender: gender === '1' || gender === '2' ? gender : undefined,
  };
  const shared = profile.mobile ?? profile.email ?? profile.bizMail ?? profile.gender;
  if (shared === undefined) return { kind: 'declined' };
  return { kind: 'given', profile: withoutUndefined(profile) as ConsentedProfile };
}

function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

function assertActive(member: WeComAnswer): void {
  const status = typeof member.status === 'number' ? member.status : 1;
  if (status === 1) return;
  const [reason, description] = STATUS_REASONS[status] ?? ['wecom_user_inactive', 'This WeCom account is not active'];
  throw accessDenied(description, reason);
}

/** Consented detail first, then the directory entry (which carries these only for pre-2022 apps). */
function normalise(userid: string, member: WeComAnswer, detail: WeComAnswer): WeComUser {
  const pick = (key: string) => text(detail[key]) ?? text(member[key]);
  const gender = pick('gender');
  const user: Record<string, unknown> = {
    userid,
    name: text(member.name),
    alias: text(member.alias),
    mobile: pick('mobile'),
    email: pick('email'),
    bizMail: pick('biz_mail'),
    avatar: pick('avatar'),
    gender: gender === '1' || gender === '2' ? gender : undefined,
    departments: Array.isArray(member.department)
      ? member.department.filter((d): d is number => Number.isInteger(d))
      : [],
    position: text(member.position),
  };
  return withoutUndefined(user) as unknown as WeComUser;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  const defined: Record<string, unknown> = {};
  for (const key in record) if (record[key] !== undefined) defined[key] = record[key];
  return defined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
