/**
 * A scripted browser for end-to-end tests: a cookie jar, a User-Agent, and a redirect follower
 * that walks bridge → WeCom simulator → bridge until the flow leaves for the relying party.
 * Real HTTP (undici fetch with manual redirects), no shortcuts into the code under test.
 */
import { type Dispatcher, fetch as undiciFetch } from 'undici';

/** User-Agents of the two legs. */
export const USER_AGENTS = {
  desktop:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  wecom:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.26 MicroMessenger/7.0.1 Language/zh ColorScheme/Light',
};

interface StoredCookie {
  value: string;
  expiresAt: number;
}

/** One hop of a followed flow. */
export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location?: string;
}

/** The result of following redirects. */
export interface FlowResult {
  /** The URL the flow ended at without fetching it (the RP's redirect URI), or the last fetched one. */
  readonly finalUrl: string;
  /** The last response when the flow stopped on a non-redirect (an error page, say). */
  readonly response?: Response;
  readonly body?: string;
  readonly hops: readonly Hop[];
}

/** A browser with its own cookies. */
export class TestBrowser {
  readonly cookies = new Map<string, StoredCookie>();

  /**
   * @param userAgent sent with every request
   * @param simUser WeCom userid the simulator logs in (sent as `x-sim-user` to the simulator only)
   */
  /**
   * Connections through this undici dispatcher (e.g. an `Agent` with `localAddress`, to
   * come from another loopback source address); Node's global fetch otherwise.
   */
  dispatcher?: Dispatcher;

  constructor(
    public userAgent: string = USER_AGENTS.desktop,
    public simUser?: string,
    private readonly simOrigin?: string,
  ) {}

  /** Sends one request with this browser's cookies; stores what it sets. */
  async request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'text/html', ...init.headers };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    if (this.simUser && this.simOrigin && url.startsWith(this.simOrigin)) headers['x-sim-user'] = this.simUser;
    if (init.body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const options = { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' } as const;
    const response = this.dispatcher
      ? ((await undiciFetch(url, { ...options, dispatcher: this.dispatcher })) as unknown as Response)
      : await fetch(url, options);
    this.storeCookies(response);
    return response;
  }

  /**
   * Follows redirects from `url` until the next location starts with `stopAt` (returned without
   * being fetched), or a response is not a redirect.
   */
  async follow(url: string, stopAt: string, init: { method?: string; body?: string } = {}): Promise<FlowResult> {
    const hops: Hop[] = [];
    let next = url;
    let request = init;
    for (let i = 0; i < 10; i += 1) {
      if (i > 0 && next.startsWith(stopAt)) return { finalUrl: next, hops };
      // The fragment never reaches a server (WeCom's #wechat_redirect).
      const response = await this.request(next.split('#')[0]!, request);
      const location = response.headers.get('location') ?? undefined;
      hops.push({ url: next, status: response.status, ...(location ? { location } : {}) });
      if (!location || response.status < 300 || response.status >= 400) {
        return { finalUrl: next, response, body: await response.text(), hops };
      }
      await response.body?.cancel();
      next = new URL(location, next).toString();
      request = {};
    }
    throw new Error(`too many redirects: ${hops.map((h) => h.url).join(' -> ')}`);
  }

  /** Drops every cookie (a new browser profile). */
  clearCookies(): void {
    this.cookies.clear();
  }

  private cookieHeader(): string {
    const now = Date.now();
    return [...this.cookies]
      .filter(([, cookie]) => cookie.expiresAt > now)
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  private storeCookies(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const maxAge = attributes.map((a) => /^\s*max-age=(-?\d+)/i.exec(a)?.[1]).find(Boolean);
      const expires = attributes.map((a) => /^\s*expires=(.+)$/i.exec(a)?.[1]).find(Boolean);
      let expiresAt = Number.POSITIVE_INFINITY;
      if (maxAge !== undefined) expiresAt = Date.now() + Number(maxAge) * 1000;
      else if (expires !== undefined) expiresAt = Date.parse(expires);
      if (expiresAt <= Date.now() || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { value, expiresAt });
    }
  }
}
