/**
 * The options of a `wecom-bridge` authenticator (the `options` column of NocoBase's
 * `authenticators`), with their defaults, and the checks an administrator sees when saving.
 * Pure: no NocoBase imports, so the unit tests run without NocoBase.
 */
import { safeRedirectPath } from './redirect-path.js';

/** The user fields an existing NocoBase user can be found by, in the order given. */
export const BIND_FIELDS = ['phone', 'email', 'username'] as const;
export type BindField = (typeof BIND_FIELDS)[number];

/** An authenticator's options with defaults applied. */
export interface BridgeOptions {
  /** The provider's issuer (the bridge's PUBLIC_URL), without a trailing slash. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  readonly bindBy: readonly BindField[];
  readonly autoSignup: boolean;
  readonly autoLoginInWeCom: boolean;
  /** Where a person lands after signing in when the sign-in did not name a page. */
  readonly redirectPath: string;
}

export const DEFAULT_SCOPE = 'openid profile email phone';
export const DEFAULT_BIND_BY: readonly BindField[] = ['phone', 'email'];
export const DEFAULT_REDIRECT_PATH = '/admin';

type Raw = Record<string, unknown> | null | undefined;

/** Reads the options with their defaults (never throws; {@link optionProblems} says what is wrong). */
export function readOptions(raw: Raw): BridgeOptions {
  const options = raw ?? {};
  return {
    issuer: text(options.issuer).replace(/\/+$/, ''),
    clientId: text(options.clientId),
    clientSecret: typeof options.clientSecret === 'string' ? options.clientSecret : '',
    scope: normaliseScope(text(options.scope) || DEFAULT_SCOPE),
    bindBy: Array.isArray(options.bindBy) ? options.bindBy.filter(isBindField) : DEFAULT_BIND_BY,
    autoSignup: options.autoSignup === undefined || options.autoSignup === null ? true : options.autoSignup === true,
    autoLoginInWeCom: options.autoLoginInWeCom === true,
    redirectPath: safeRedirectPath(text(options.redirectPath), DEFAULT_REDIRECT_PATH),
  };
}

/**
 * What is wrong with `raw`, one sentence each for the administrator (empty when it can be used).
 * Loopback issuers may use http (tests, a bridge on the same host); every other issuer needs https.
 */
export function optionProblems(raw: Raw): string[] {
  const options = raw ?? {};
  const problems: string[] = [];
  const issuer = text(options.issuer);
  if (!issuer) problems.push("Issuer is required: the bridge's PUBLIC_URL, e.g. https://sso.example.com.");
  else if (!isAcceptableIssuer(issuer))
    problems.push(`Issuer "${issuer}" must be an https URL (http only on localhost) without query or fragment.`);
  if (!text(options.clientId)) problems.push('Client ID is required: the OIDC_CLIENT_ID registered at the bridge.');
  if (typeof options.clientSecret !== 'string' || options.clientSecret === '')
    problems.push('Client secret is required: the OIDC_CLIENT_SECRET registered at the bridge.');
  const scope = normaliseScope(text(options.scope) || DEFAULT_SCOPE);
  if (!scope.split(' ').includes('openid')) problems.push('Scope must contain "openid".');
  if (options.bindBy !== undefined && options.bindBy !== null) {
    if (!Array.isArray(options.bindBy) || !options.bindBy.every(isBindField))
      problems.push(`Bind by may only list ${BIND_FIELDS.join(', ')}.`);
  }
  const redirectPath = text(options.redirectPath);
  if (redirectPath && safeRedirectPath(redirectPath, '') === '')
    problems.push(`Page after sign-in "${redirectPath}" must be a path on this NocoBase, starting with a single "/".`);
  return problems;
}

function isAcceptableIssuer(issuer: string): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return false;
  }
  if (url.search || url.hash || url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

function isBindField(value: unknown): value is BindField {
  return typeof value === 'string' && (BIND_FIELDS as readonly string[]).includes(value);
}

function normaliseScope(scope: string): string {
  return [...new Set(scope.split(/\s+/).filter(Boolean))].join(' ');
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}
