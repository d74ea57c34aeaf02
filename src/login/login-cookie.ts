/**
 * Login transactions live in the browser, not in the store: `/authorize` seals the transaction
 * (the relying party's request, the WeCom leg, the attempt) into a cookie of its own, and the
 * WeCom callback opens it. Why (docs/architecture.md, "Login transactions"): an /authorize that
 * stores nothing cannot be turned against anyone. A flood of abandoned authorizations from any
 * number of addresses fills no store, evicts no genuine login in progress, and costs Redis
 * nothing; only a callback (which needs a WeCom code) writes, and only a small "used" mark.
 *
 * The cookie is sealed (AES-256-GCM, src/crypto/seal.ts) under the hour's key derived
 * from the WeCom app secret, which every replica has and no browser does, for the context
 * `login ‖ hash(WeCom state) ‖ hash(binding cookie)`: only the bridge can make one, it opens only
 * for the callback with its own WeCom state, and only in the browser holding the binding cookie
 * it was made for. Its `createdAt` is sealed too, so LOGIN_TTL holds whatever the cookie's
 * Max-Age says.
 *
 * A browser keeps a few logins at once (tabs): each has its own cookie, named after its WeCom
 * state. Starting one more drops the oldest beyond {@link MAX_LOGIN_COOKIES} or beyond
 * {@link LOGIN_COOKIE_BUDGET} bytes in all, so the Cookie header stays below what proxies accept
 * (nginx: 8 KB per header line by default).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext, CookieJar } from '../context.js';
import { seal, unseal } from '../crypto/seal.js';
import { invalidRequest } from '../errors/bridge-error.js';
import type { LoginTransaction } from './records.js';

/** Logins one browser can have in progress at once. */
export const MAX_LOGIN_COOKIES = 4;
/** Bytes of login cookies (names and values) one browser keeps at most. */
export const LOGIN_COOKIE_BUDGET = 6000;

const NAME_ID_CHARS = 16;
/** Bytes of one login cookie's name and value at most (browsers keep 4,096 with the attributes). */
const MAX_LOGIN_COOKIE = 3900;

/** The cookie name of the login whose WeCom state hashes to `stateHash`. */
export function loginCookieName(jar: CookieJar, stateHash: string): string {
  return `${loginCookiePrefix(jar)}${stateHash.slice(0, NAME_ID_CHARS)}`;
}

/**
 * Sets the sealed transaction's cookie for LOGIN_TTL, dropping this browser's oldest login
 * cookies beyond the count and byte budgets.
 */
export function setLoginCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  context: BridgeContext,
  stateHash: string,
  transaction: LoginTransaction,
): void {
  const name = loginCookieName(context.cookies, stateHash);
  const value = seal(
    context.config.wecom.secret,
    sealContext(stateHash, transaction.bindingHash),
    JSON.stringify(transaction),
    context.now(),
  );
  // A browser drops a cookie above 4 KB, which would lose the login silently: refuse it here.
  if (name.length + value.length > MAX_LOGIN_COOKIE) {
    throw invalidRequest(
      'The authorization request is too large to keep during the login (shorten state or nonce)',
      'request_too_large',
    );
  }
  for (const old of cookiesToDrop(request, context, name.length + value.length))
    clearLoginCookie(reply, context.cookies, old);
  reply.setCookie(name, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: context.cookies.secure,
    maxAge: context.config.ttl.login,
  });
}

/** What {@link openLoginCookie} found. */
export type OpenedLogin =
  | { readonly status: 'absent' }
  | { readonly status: 'foreign' }
  | { readonly status: 'expired' }
  | { readonly status: 'open'; readonly transaction: LoginTransaction };

/**
 * The transaction of the callback's state from this browser's cookie: `absent` without a cookie,
 * `foreign` when it does not open for this state and binding (another browser's binding, or
 * altered), `expired` after LOGIN_TTL.
 */
export function openLoginCookie(
  request: FastifyRequest,
  context: BridgeContext,
  stateHash: string,
  bindingHash: string,
): OpenedLogin {
  const sealed = request.cookies[loginCookieName(context.cookies, stateHash)];
  if (sealed === undefined) return { status: 'absent' };
  if (bindingHash === '') return { status: 'foreign' };
  const opened = unseal(
    context.config.wecom.secret,
    sealContext(stateHash, bindingHash),
    sealed,
    context.now(),
    context.config.ttl.login,
  );
  if (opened.plaintext === undefined) return { status: opened.tooOld ? 'expired' : 'foreign' };
  const transaction = JSON.parse(opened.plaintext) as LoginTransaction;
  if (context.now() - transaction.createdAt > context.config.ttl.login * 1000) return { status: 'expired' };
  return { status: 'open', transaction };
}

/** Expires one login cookie (the login is finished, restarted or dropped). */
export function clearLoginCookie(reply: FastifyReply, jar: CookieJar, name: string): void {
  reply.clearCookie(name, { path: '/', httpOnly: true, sameSite: 'lax', secure: jar.secure });
}

/** This browser's login cookies to drop so that one of `incoming` bytes fits (oldest first). */
function cookiesToDrop(request: FastifyRequest, context: BridgeContext, incoming: number): string[] {
  const prefix = loginCookiePrefix(context.cookies);
  // Cookie values are opaque here; names sort by nothing useful, so age comes from the order the
  // browser sends them in (RFC 6265 §5.4: earlier creation first, for equal paths).
  const present = Object.entries(request.cookies).filter(
    ([name, value]) => name.startsWith(prefix) && value !== undefined,
  );
  const drop: string[] = [];
  let count = present.length + 1;
  let bytes = present.reduce((sum, [name, value]) => sum + name.length + value!.length, incoming);
  for (const [name, value] of present) {
    if (count <= MAX_LOGIN_COOKIES && bytes <= LOGIN_COOKIE_BUDGET) break;
    drop.push(name);
    count -= 1;
    bytes -= name.length + value!.length;
  }
  return drop;
}

function loginCookiePrefix(jar: CookieJar): string {
  return `${jar.bindingName}-`;
}

function sealContext(stateHash: string, bindingHash: string): string {
  return `login:${stateHash}:${bindingHash}`;
}
