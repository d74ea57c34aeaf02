/**
 * NocoBase's HTTP API as an administrator uses it: the root's sign-in, the plugin manager
 * (upload, enable) and authenticators. Real requests to a running NocoBase.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ROOT_ACCOUNT, waitUntilServing } from './instance.js';

/** The adapter's package name (nocobase-plugin/package.json). */
export const PLUGIN_PACKAGE = '@wecom-oidc-bridge/plugin-auth-wecom-bridge';

/** An answer of NocoBase's API. */
export interface ApiAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: NocoBase's JSON answers differ per action; callers read what they asked for.
  readonly body: any;
}

/** A NocoBase API client signed in as root. */
export class NocoBaseApi {
  private token = '';

  constructor(readonly url: string) {}

  /** Root's session token (after {@link signInRoot}), e.g. for a browser signed in as root. */
  get rootToken(): string {
    return this.token;
  }

  /** Signs in as NocoBase's root user (the password authenticator `basic`). */
  async signInRoot(): Promise<void> {
    const answer = await this.call('auth:signIn', {
      method: 'POST',
      body: ROOT_ACCOUNT,
      headers: { 'x-authenticator': 'basic' },
    });
    if (answer.status !== 200)
      throw new Error(`root sign-in failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    this.token = answer.body.data.token as string;
  }

  /** Calls `action` (e.g. `users:list`) as root; JSON in and out. */
  async call(
    action: string,
    init: {
      method?: string;
      query?: Record<string, string>;
      body?: unknown;
      headers?: Record<string, string>;
      token?: string;
    } = {},
  ): Promise<ApiAnswer> {
    const url = new URL(`/api/${action}`, this.url);
    for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, value);
    const token = init.token ?? this.token;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (an HTML page)
    }
    return { status: response.status, body };
  }

  /**
   * Uploads a plugin package the way Settings → Plugin manager → Add & update → Upload does
   * (`pm:add` with the file), waits until NocoBase lists it, then enables it and waits for the
   * restart that enabling causes.
   */
  async uploadAndEnable(tgz: string, packageName = PLUGIN_PACKAGE): Promise<void> {
    const form = new FormData();
    form.set('file', new Blob([readFileSync(tgz)], { type: 'application/gzip' }), basename(tgz));
    const response = await fetch(new URL('/api/pm:add', this.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}` },
      body: form,
    });
    if (response.status !== 200) throw new Error(`pm:add answered ${response.status}: ${await response.text()}`);
    await this.waitFor(async () => (await this.plugin(packageName)) !== undefined, `${packageName} to be added`);
    const enabled = await this.call('pm:enable', { method: 'POST', query: { filterByTk: packageName } });
    if (enabled.status !== 200)
      throw new Error(`pm:enable answered ${enabled.status}: ${JSON.stringify(enabled.body)}`);
    await this.waitFor(async () => (await this.plugin(packageName))?.enabled === true, `${packageName} to be enabled`);
    await waitUntilServing(this.url);
  }

  /** The plugin manager's entry for `packageName`. */
  async plugin(packageName: string): Promise<{ enabled?: boolean; version?: string } | undefined> {
    const answer = await this.call('pm:list');
    const list = (answer.body?.data ?? []) as { packageName?: string; enabled?: boolean; version?: string }[];
    return Array.isArray(list) ? list.find((entry) => entry.packageName === packageName) : undefined;
  }

  /** Creates an enabled authenticator of the adapter's type. */
  async createAuthenticator(name: string, options: Record<string, unknown>, title = 'WeCom'): Promise<ApiAnswer> {
    return this.call('authenticators:create', {
      method: 'POST',
      body: { name, authType: 'wecom-bridge', title, enabled: true, options },
    });
  }

  private async waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if (await check()) return;
      } catch {
        // restarting
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
}
