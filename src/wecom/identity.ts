/**
 * From a WeCom code to one normalised member: `auth/getuserinfo`, then `auth/getuserdetail` when a
 * user_ticket came with the code (in-client consent), then `user/get` for the name, departments
 * and status. Claims are made from the result later (oidc/claims.ts), never here.
 */
import { accessDenied } from '../errors/bridge-error.js';
import type { WeComClient } from './client.js';
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
  readonly position?: string;
}

/** Logs what a login skipped (e.g. an expired ticket) without failing it. */
export type IdentityWarn = (message: string, details: Record<string, unknown>) => void;

const STATUS_REASONS: Record<number, [reason: string, description: string]> = {
  2: ['wecom_user_disabled', 'This WeCom account is disabled'],
  4: ['wecom_user_inactive', 'This WeCom account is not activated yet'],
  5: ['wecom_user_departed', 'This WeCom account has left the organisation'],
};

/** Resolves the member behind a WeCom code; refuses non-members and inactive members. */
export async function resolveWeComUser(client: WeComClient, code: string, warn: IdentityWarn): Promise<WeComUser> {
  const info = await client.getUserInfo(code);
  if (!info.userid) {
    throw accessDenied('Only members of this organisation can sign in', 'wecom_not_member');
  }
  const detail = info.userTicket ? await readDetail(client, info.userTicket, warn) : {};
  const member = await client.getUser(info.userid);
  assertActive(member);
  return normalise(info.userid, member, detail);
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
  const kept = Object.fromEntries(CONSENTED_FIELDS.filter((key) => previous[key] !== undefined).map((key) => [key, previous[key]]));
  return { ...kept, ...fresh };
}

/** A ticket that expired or is unknown costs only the consented fields, not the login. */
async function readDetail(client: WeComClient, ticket: string, warn: IdentityWarn): Promise<WeComAnswer> {
  try {
    return await client.getUserDetail(ticket);
  } catch (error) {
    if (error instanceof WeComApiError && error.action === 'ticket') {
      warn('user_ticket unusable; continuing without the consented profile', { errcode: error.errcode });
      return {};
    }
    throw error;
  }
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
    departments: Array.isArray(member.department) ? member.department.filter((d): d is number => Number.isInteger(d)) : [],
    position: text(member.position),
  };
  return Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined)) as unknown as WeComUser;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
