/**
 * The load generator's HTTP side, kept cheap so that on two cores it does not hide the bridge's
 * cost: one undici keep-alive `Pool` per origin, no redirect following, no URL objects, bodies
 * read only where a value is needed.
 */
import { Pool } from 'undici';

/** A response reduced to what a login step needs. */
export interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly setCookies: readonly string[];
  /** Only when requested (`readBody`). */
  readonly body: string | undefined;
}

/** One request. */
export interface Call {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Read the body as text (else it is drained). */
  readonly readBody?: boolean;
}

/** Keep-alive connections to one origin. */
export class Origin {
  readonly pool: Pool;

  constructor(readonly url: string, connections: number) {
    this.pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
  }

  /** Sends `call`; network failures reject. */
  async send(call: Call): Promise<Answer> {
    const response = await this.pool.request({
      method: call.method ?? 'GET',
      path: call.path,
      ...(call.headers ? { headers: call.headers } : {}),
      ...(call.body === undefined ? {} : { body: call.body }),
    });
    const body = call.readBody ? await response.body.text() : undefined;
    if (!call.readBody) await response.body.dump();
    const location = response.headers.location;
    const cookies = response.headers['set-cookie'];
    return {
      status: response.statusCode,
      location: typeof location === 'string' ? location : undefined,
      setCookies: cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies],
      body,
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** The path and query of an absolute URL on `origin` (fragment dropped), or undefined if elsewhere. */
export function pathOn(origin: string, url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith(origin)) return undefined;
  const hash = url.indexOf('#');
  return url.slice(origin.length, hash === -1 ? undefined : hash);
}

/** One query parameter of a URL, decoded (the values the bench reads are URL-safe or simple). */
export function queryParam(url: string, name: string): string | undefined {
  const match = new RegExp(`[?&]${name}=([^&#]*)`).exec(url);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

/** A browser's cookies: `name=value` pairs from Set-Cookie, sent back as one header. */
export class CookieJar {
  private readonly values = new Map<string, string>();

  /** Keeps the cookies of a response (attributes ignored: one host, one path, short runs). */
  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const end = line.indexOf(';');
      const pair = end === -1 ? line : line.slice(0, end);
      const eq = pair.indexOf('=');
      if (eq > 0) this.values.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  /** The Cookie header, or undefined when empty. */
  header(): string | undefined {
    if (this.values.size === 0) return undefined;
    let text = '';
    for (const [name, value] of this.values) text += `${text ? '; ' : ''}${name}=${value}`;
    return text;
  }

  clear(): void {
    this.values.clear();
  }
}
