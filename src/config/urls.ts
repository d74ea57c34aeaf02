/** Validation rules for the URLs an administrator configures. */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for hosts that never leave the machine, where plain http is acceptable. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Checks `PUBLIC_URL`; returns the problem, or undefined when it is fine.
 *
 * The value is the issuer, compared byte for byte by relying parties, so it is rejected rather
 * than silently normalised: an admin who pastes it into NocoBase must paste the same string.
 */
export function publicUrlProblem(value: string, allowInsecureHttp: boolean): string | undefined {
  const url = parseUrl(value);
  if (!url) return `must be an absolute http(s) URL, got "${value}"`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return 'must start with https:// (or http:// for loopback)';
  if (url.search || value.includes('?')) return 'must not contain a query string';
  if (url.hash || value.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password) return 'must not contain user credentials';
  if (value.endsWith('/')) return `must not end with "/" (use "${value.replace(/\/+$/, '')}")`;
  if (url.href.replace(/\/$/, '') !== value) {
    return `must be written in normal form, e.g. "${url.href.replace(/\/$/, '')}" (lower-case scheme and host, no default port)`;
  }
  return insecureHttpProblem(url, allowInsecureHttp);
}

/**
 * Checks one registered redirect URI (or post-logout redirect URI).
 *
 * Matching is exact string comparison, so the registered value is kept as written; it only has to
 * be an absolute URL without fragment or credentials (RFC 6749 §3.1.2, RFC 9700 §2.1).
 */
export function redirectUriProblem(value: string, allowInsecureHttp: boolean): string | undefined {
  const url = parseUrl(value);
  if (!url) return `"${value}" is not an absolute URL`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `"${value}" must use https:// (or http:// for loopback)`;
  if (url.hash || value.includes('#')) return `"${value}" must not contain a fragment`;
  if (url.username || url.password) return `"${value}" must not contain user credentials`;
  const insecure = insecureHttpProblem(url, allowInsecureHttp);
  return insecure ? `"${value}" ${insecure}` : undefined;
}

/**
 * Checks a back-channel logout URI (Back-Channel Logout 1.0 §2.2): an absolute http(s) URL without
 * fragment or credentials. Plain http and private or loopback hosts are allowed: the bridge itself
 * calls it, server to server, and the operator chose it (NocoBase usually sits on a private network).
 */
export function backchannelUriProblem(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url) return `"${value}" is not an absolute URL`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${value}" must use https:// or http://`;
  if (url.hash || value.includes('#')) return `"${value}" must not contain a fragment`;
  if (url.username || url.password) return `"${value}" must not contain user credentials`;
  return undefined;
}

/** Checks a WeCom base URL (API, OAuth, SSO). */
export function baseUrlProblem(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    return `must be an absolute http(s) URL, got "${value}"`;
  if (url.search || url.hash) return 'must not contain a query string or fragment';
  return undefined;
}

function insecureHttpProblem(url: URL, allowInsecureHttp: boolean): string | undefined {
  if (url.protocol === 'https:' || allowInsecureHttp || isLoopbackHost(url.hostname)) return undefined;
  return 'uses http:// on a non-loopback host; use https://, or set ALLOW_INSECURE_HTTP=true on a trusted intranet';
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
