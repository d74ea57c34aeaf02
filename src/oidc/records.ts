/**
 * The records the OpenID side keeps in the store, and their keys.
 *
 * Every key derived from a secret (WeCom state, cookie, code, token) is its SHA-256 hash: whoever
 * reads the store cannot replay what it finds.
 */
import { sha256 } from '../crypto/secrets.js';
import { storeKey } from '../store/store.js';
import type { WeComUser } from '../wecom/identity.js';
import type { WeComLeg } from '../wecom/login-url.js';

/** A validated authorization request, exactly as the relying party sent it. */
export interface AuthRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  /** The RP's state, byte for byte; never sent to WeCom. */
  readonly state?: string;
  readonly nonce?: string;
  readonly scopes: readonly string[];
  /** PKCE S256 challenge. */
  readonly codeChallenge?: string;
  readonly prompt: readonly string[];
  readonly maxAge?: number;
  /** `sub` named by a valid id_token_hint (compared with `subjectOf`, never with a userid). */
  readonly hintSub?: string;
  readonly uiLocales?: string;
}

/** A login waiting for WeCom's callback, sealed in a cookie named after its WeCom `state` (login-cookie.ts). */
export interface LoginTransaction {
  readonly request: AuthRequest;
  /** Hash of the browser-binding cookie: the callback must come from the same browser. */
  readonly bindingHash: string;
  readonly leg: WeComLeg;
  /** How many WeCom legs this login has started (a dead WeCom code restarts it once). */
  readonly attempt: number;
  readonly createdAt: number;
  /**
   * Set on the phone's leg of a QR hand-off: the hash of the desktop login's hand-off handle.
   * The callback then completes that hand-off instead of answering a relying party.
   */
  readonly handoff?: string;
}

/** The bridge's SSO session, under the hash of the session cookie. */
export interface SessionRecord {
  readonly sid: string;
  readonly user: WeComUser;
  /** Epoch seconds of the WeCom login. */
  readonly authTime: number;
}

/** What a code, and then the tokens issued for it, stand for. */
export interface GrantData {
  /** Random id shared by every token of one grant (revocation unit, refresh family). */
  readonly grantId: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly user: WeComUser;
  readonly sid: string;
  readonly authTime: number;
  readonly nonce?: string;
}

/** An authorization code, under the hash of the code. */
export interface CodeRecord extends GrantData {
  readonly redirectUri: string;
  readonly codeChallenge?: string;
  /**
   * Store key of the WeCom callback's remembered result (callback-replay.ts) that carries this
   * code: redeeming the code deletes it, since repeating that redirect could only hand out a used
   * code (whose replay would revoke the tokens just issued).
   */
  readonly callbackResult?: string;
}

/** An access token, under the hash of the token. */
export type AccessTokenRecord = Omit<GrantData, 'nonce'>;

/**
 * A refresh token, under the hash of the token. Every rotation keeps the `grantId`, so the grant
 * is the token family: revoking the grant revokes every refresh and access token of the family.
 * `scopes` stay those of the original grant (RFC 6749 §6); no nonce (OIDC Core §12.2).
 */
export type RefreshTokenRecord = Omit<GrantData, 'nonce'>;

/** What a token of `grant`'s family stands for (an access token's `scopes` may be narrower). */
export function tokenRecord(grant: GrantData, scopes: readonly string[]): AccessTokenRecord & RefreshTokenRecord {
  return { grantId: grant.grantId, clientId: grant.clientId, scopes, user: grant.user, sid: grant.sid, authTime: grant.authTime };
}

/**
 * What the first WeCom callback of a login left for a repeated hit of the same browser
 * (callback-replay.ts): who may read it, and once finished the sealed result.
 */
export interface CallbackResultRecord {
  /** Hash of the browser-binding cookie of the login. */
  readonly bindingHash: string;
  /** `pending` while the first hit still talks to WeCom. */
  readonly status: 'pending' | 'done';
  /** The result, sealed with a key derived from the binding cookie value (never stored). */
  readonly sealed?: string;
}

/**
 * Keys of the records a WeCom `state` names, from the state's hash: the callback needs several of
 * them and hashes the state once.
 */
export const stateKeys = {
  /** Set when a callback consumes the login: its sealed cookie cannot be used twice. */
  used: (stateHash: string) => storeKey('login-used', stateHash),
  callbackResult: (stateHash: string) => storeKey('callback-done', stateHash),
};

/**
 * Keys of a code's record and of its "used" mark, from the code's hash: redeeming a code needs
 * both and hashes the code once.
 */
export const codeKeys = {
  record: (codeHash: string) => storeKey('code', codeHash),
  used: (codeHash: string) => storeKey('code-used', codeHash),
};

/** Store keys, one function per record type. */
export const keys = {
  session: (cookieValue: string) => storeKey('session', sha256(cookieValue)),
  code: (code: string) => codeKeys.record(sha256(code)),
  accessToken: (token: string) => storeKey('at', sha256(token)),
  refreshToken: (token: string) => storeKey('rt', sha256(token)),
  /** Set when a refresh token is rotated: presenting it again is reuse. */
  refreshTokenUsed: (token: string) => storeKey('rt-used', sha256(token)),
  /** The answer of a rotation, sealed under the rotated token, for a repeat within the grace window. */
  refreshRepeat: (token: string) => storeKey('rt-repeat', sha256(token)),
  revokedGrant: (grantId: string) => storeKey('revoked-grant', grantId),
  /** Set when a session ends (logout): the refresh tokens issued in it stop working. */
  revokedSid: (sid: string) => storeKey('revoked-sid', sid),
  /** Set when a sign-out confirmation (logout-confirmation.ts) is used: it works once. */
  logoutConfirmed: (token: string) => storeKey('logout-done', sha256(token)),
};
