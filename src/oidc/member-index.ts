/**
 * The member index: for each WeCom member, the SSO sessions and grants (token families) the bridge
 * holds for them, so that a member WeCom reports deleted or disabled can be ended everywhere
 * (offboarding/end-member.ts) without scanning the store.
 *
 * One set per member under `member:<lower-cased userid>` (WeCom userids are case-insensitive),
 * living as long as the longest-lived thing it names; each item is a small JSON tuple:
 * `["s", <session store key>, <sid>]` for a session (its key is already a hash of the cookie),
 * `["g", <grantId>, <clientId>, <sid>]` for a grant, written when its code is redeemed.
 */
import type { BridgeContext } from '../context.js';
import { storeKey } from '../store/store.js';
import type { GrantData, SessionRecord } from './records.js';

/** What the index knows about one member. */
export interface MemberHoldings {
  readonly sessions: readonly { readonly key: string; readonly sid: string }[];
  readonly grants: readonly { readonly grantId: string; readonly clientId: string; readonly sid: string }[];
}

/** The store key of `userid`'s index. */
export function memberIndexKey(userid: string): string {
  return storeKey('member', userid.toLowerCase());
}

/** Records a session of its member (`sessionKey` is the session record's store key). */
export async function indexSession(
  context: BridgeContext,
  session: SessionRecord,
  sessionKey: string,
  ttlSeconds: number,
): Promise<void> {
  await context.store.addToSet(
    memberIndexKey(session.user.userid),
    JSON.stringify(['s', sessionKey, session.sid]),
    ttlSeconds,
  );
}

/** Records a grant of its member once its code was redeemed (its tokens may live `ttlSeconds`). */
export async function indexGrant(
  context: BridgeContext,
  grant: Pick<GrantData, 'grantId' | 'clientId' | 'sid' | 'user'>,
  ttlSeconds: number,
): Promise<void> {
  await context.store.addToSet(
    memberIndexKey(grant.user.userid),
    JSON.stringify(['g', grant.grantId, grant.clientId, grant.sid]),
    ttlSeconds,
  );
}

/** Everything the index holds for `userid` (malformed items are skipped). */
export async function memberHoldings(context: BridgeContext, userid: string): Promise<MemberHoldings> {
  const sessions: { key: string; sid: string }[] = [];
  const grants: { grantId: string; clientId: string; sid: string }[] = [];
  for (const item of await context.store.setItems(memberIndexKey(userid))) {
    const tuple = parseItem(item);
    if (tuple?.[0] === 's' && tuple.length === 3) sessions.push({ key: tuple[1]!, sid: tuple[2]! });
    if (tuple?.[0] === 'g' && tuple.length === 4)
      grants.push({ grantId: tuple[1]!, clientId: tuple[2]!, sid: tuple[3]! });
  }
  return { sessions, grants };
}

function parseItem(item: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(item);
    return Array.isArray(value) && value.every((part) => typeof part === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}
