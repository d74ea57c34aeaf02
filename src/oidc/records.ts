/**
 * The records the OpenID side keeps in the store, and their keys.
 *
 * Every key derived from a secret (WeCom state, cookie, code, token) is its SHA-256 hash: whoever
 * reads the store cannot replay what it finds.
 */
import { sha256 } from '../crypto/secrets.js';
import { storeKey } from '../store/store.js';
import type { WeComUser } from '../wecom/identity.js';

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
   * Store key of the WeCom callback's remembered result (login/callback-replay.ts) that carries this
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
  return {
    grantId: grant.grantId,
    clientId: grant.clientId,
    scopes,
    user: grant.user,
    sid: grant.sid,
    authTime: grant.authTime,
  };
}

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
