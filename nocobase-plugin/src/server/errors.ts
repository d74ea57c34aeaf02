/**
 * Why a sign-in failed. Each reason has a page (messages.ts) that says what happened and what the
 * person or the administrator can do; `detail` is for NocoBase's log only (never secrets or tokens).
 */

/** Every reason a sign-in can fail, each with its own page. */
export type SignInFailure =
  | 'authenticator_unknown'
  | 'misconfigured'
  | 'provider_unreachable'
  | 'issuer_mismatch'
  | 'invalid_client'
  | 'state_invalid'
  | 'state_used'
  | 'access_denied'
  | 'provider_error'
  | 'code_rejected'
  | 'token_invalid'
  | 'userinfo_mismatch'
  | 'no_account'
  | 'account_bound_elsewhere'
  | 'account_protected'
  | 'internal';

/** The HTTP status of each failure's page: 4xx for what the request got wrong, 502 for the provider. */
const STATUS: Record<SignInFailure, number> = {
  authenticator_unknown: 404,
  misconfigured: 503,
  provider_unreachable: 502,
  issuer_mismatch: 502,
  invalid_client: 502,
  state_invalid: 400,
  state_used: 400,
  access_denied: 403,
  provider_error: 502,
  code_rejected: 400,
  token_invalid: 502,
  userinfo_mismatch: 502,
  no_account: 403,
  account_bound_elsewhere: 403,
  account_protected: 403,
  internal: 500,
};

/** A failed sign-in, rendered as a page by the routes. */
export class SignInError extends Error {
  readonly status: number;

  /**
   * @param failure which page to show
   * @param detail for the log: what exactly was wrong (no secrets, codes or tokens)
   * @param shown text from the provider that may be shown (e.g. its error_description)
   */
  constructor(
    readonly failure: SignInFailure,
    readonly detail: string,
    readonly shown?: string,
  ) {
    super(`${failure}: ${detail}`);
    this.name = 'SignInError';
    this.status = STATUS[failure];
  }
}

/**
 * Whether `value` is a {@link SignInError}, also one thrown by another copy of this module
 * (NocoBase may load the plugin twice), so not by `instanceof`.
 */
export function isSignInError(value: unknown): value is SignInError {
  return (
    value instanceof Error &&
    value.name === 'SignInError' &&
    typeof (value as SignInError).failure === 'string' &&
    (value as SignInError).failure in STATUS
  );
}
