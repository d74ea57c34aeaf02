/**
 * The one error model of the bridge.
 *
 * Every failure a request can meet is a {@link BridgeError}: it knows its OAuth `error` code, the
 * HTTP status used when it is answered directly, whether its description may be shown to the
 * client, a stable `reason` (logs, metrics, page texts) and, for problems an administrator must
 * fix, a `hint` naming the fix. Renderers (JSON, redirect, HTML page) only read these fields.
 */

/** OAuth 2.0 / OpenID Connect error codes the bridge emits. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'login_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'invalid_token'
  | 'slow_down';

/** Construction options of a {@link BridgeError}. */
export interface BridgeErrorOptions {
  readonly code: OAuthErrorCode;
  /** HTTP status when the error is answered directly (JSON or page). */
  readonly status: number;
  /** Stable machine-readable cause, e.g. `redirect_uri_mismatch`, `wecom_untrusted_ip`. */
  readonly reason: string;
  /** Human description; sent as `error_description` only when `expose` is true. */
  readonly description: string;
  /** The description may be shown to clients and users (default true for 4xx, false for 5xx). */
  readonly expose?: boolean;
  /** What an administrator should do; shown on error pages and logged, never sent to an RP. */
  readonly hint?: string;
  /** `WWW-Authenticate` value for 401 answers (e.g. Basic for the token endpoint). */
  readonly challenge?: string;
  /** Safe fields for logs (never secrets, codes or tokens). */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  readonly cause?: unknown;
}

const GENERIC_DESCRIPTIONS: Partial<Record<OAuthErrorCode, string>> = {
  server_error: 'The sign-in service met an internal problem; the administrator can find the cause in its log',
  temporarily_unavailable: 'The sign-in service is temporarily unavailable; please try again in a moment',
  access_denied: 'Sign-in was refused',
};

/** An error with everything needed to answer it correctly. */
export class BridgeError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly reason: string;
  readonly description: string;
  readonly expose: boolean;
  readonly hint: string | undefined;
  readonly challenge: string | undefined;
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(options: BridgeErrorOptions) {
    super(options.description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BridgeError';
    this.code = options.code;
    this.status = options.status;
    this.reason = options.reason;
    this.description = toSafeDescription(options.description);
    this.expose = options.expose ?? options.status < 500;
    this.hint = options.hint;
    this.challenge = options.challenge;
    this.details = options.details ?? {};
  }

  /** The `error_description` a client may see: the real one if exposed, else a generic text. */
  get publicDescription(): string {
    if (this.expose) return this.description;
    return GENERIC_DESCRIPTIONS[this.code] ?? 'The request failed';
  }
}

/**
 * Restricts text to what `error_description` allows (RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E):
 * printable ASCII without `"` and `\`. Anything else (e.g. WeCom's Chinese `errmsg`) is replaced.
 */
export function toSafeDescription(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?').slice(0, 300);
}

type Make = (description: string, reason?: string, extra?: Partial<BridgeErrorOptions>) => BridgeError;

function maker(code: OAuthErrorCode, status: number, defaultReason: string = code): Make {
  return (description, reason = defaultReason, extra = {}) =>
    new BridgeError({ code, status, reason, description, ...extra });
}

/** RFC 6749 §4.1.2.1 / §5.2: malformed request. */
export const invalidRequest = maker('invalid_request', 400);
/** Client authentication failed (401 with `WWW-Authenticate`). */
export const invalidClient = maker('invalid_client', 401);
/** Code or refresh token invalid, expired, revoked, or issued to another client. */
export const invalidGrant = maker('invalid_grant', 400);
/** Grant type not supported. */
export const unsupportedGrantType = maker('unsupported_grant_type', 400);
/** Scope invalid (e.g. no `openid`). */
export const invalidScope = maker('invalid_scope', 400);
/** The user or policy refused the login. */
export const accessDenied = maker('access_denied', 403);
/** `response_type` other than `code`. */
export const unsupportedResponseType = maker('unsupported_response_type', 400);
/** `prompt=none` without a usable session. */
export const loginRequired = maker('login_required', 400);
/** `request` parameter (request objects are not supported). */
export const requestNotSupported = maker('request_not_supported', 400);
/** `request_uri` parameter. */
export const requestUriNotSupported = maker('request_uri_not_supported', 400);
/** Bearer token missing, invalid or expired (RFC 6750). */
export const invalidToken = maker('invalid_token', 401);
/** Something the administrator must fix, or a bug: details go to the log, not to the client. */
export const serverError = maker('server_error', 500);
/** A dependency (WeCom, Redis) is down or busy. */
export const temporarilyUnavailable = maker('temporarily_unavailable', 503);
