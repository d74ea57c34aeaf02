/**
 * The WeCom server API calls the bridge makes, with the access-token rules applied:
 * a token that WeCom calls invalid or expired (40014/42001, 40001 outside gettoken) is dropped,
 * refreshed and the call retried once; "system busy" (-1) is retried once after a short pause.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { WeComConfig } from '../config/types.js';
import type { Store } from '../store/store.js';
import { AccessTokenProvider } from './access-token.js';
import { WeComApiError } from './errors.js';
import { callWeCom, type WeComAnswer, type WeComCallObserver, type WeComHttpOptions } from './http.js';

/** What `auth/getuserinfo` says about a code. */
export interface CodeInfo {
  /** Member's userid (absent for non-members). */
  readonly userid?: string;
  /** Non-member's openid. */
  readonly openid?: string;
  /** Present for in-client snsapi_privateinfo logins of visible members. */
  readonly userTicket?: string;
}

/** Options of {@link WeComClient}. */
export interface WeComClientOptions {
  readonly config: WeComConfig;
  readonly store: Store;
  readonly dispatcher: Dispatcher;
  readonly now?: () => number;
  readonly observe?: WeComCallObserver;
  /** Pause before retrying errcode -1, ms (default 200). */
  readonly busyRetryDelayMs?: number;
  /** Whole-call timeout, ms (default 5000): a hung WeCom call fails instead of holding the login. */
  readonly timeoutMs?: number;
}

/** Calls WeCom on behalf of one self-built app. */
export class WeComClient {
  readonly tokens: AccessTokenProvider;
  private readonly http: WeComHttpOptions;

  constructor(private readonly options: WeComClientOptions) {
    this.http = {
      apiBase: options.config.apiBase,
      dispatcher: options.dispatcher,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.observe ? { observe: options.observe } : {}),
    };
    this.tokens = new AccessTokenProvider({
      fetchToken: () => this.fetchToken(),
      store: options.store,
      appKey: `${options.config.corpId}:${options.config.agentId}`,
      sealSecret: options.config.secret,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** `GET /cgi-bin/auth/getuserinfo`: who signed in with this code. */
  async getUserInfo(code: string): Promise<CodeInfo> {
    const answer = await this.withToken((token) =>
      callWeCom(this.http, 'getuserinfo', '/cgi-bin/auth/getuserinfo', { access_token: token, code }),
    );
    // The legacy endpoint answers in PascalCase; a tolerant reader costs nothing.
    const userid = text(answer.userid) ?? text(answer.UserId);
    const openid = text(answer.openid) ?? text(answer.OpenId);
    const userTicket = text(answer.user_ticket);
    return { ...(userid ? { userid } : {}), ...(openid ? { openid } : {}), ...(userTicket ? { userTicket } : {}) };
  }

  /** `POST /cgi-bin/auth/getuserdetail`: the consented profile (mobile, email, avatar…). */
  async getUserDetail(userTicket: string): Promise<WeComAnswer> {
    return this.withToken((token) =>
      callWeCom(
        this.http,
        'getuserdetail',
        '/cgi-bin/auth/getuserdetail',
        { access_token: token },
        { user_ticket: userTicket },
      ),
    );
  }

  /** `GET /cgi-bin/user/get`: the member's directory entry (name, departments, status). */
  async getUser(userid: string): Promise<WeComAnswer> {
    return this.withToken((token) =>
      callWeCom(this.http, 'userget', '/cgi-bin/user/get', { access_token: token, userid }),
    );
  }

  /** `GET /cgi-bin/department/list`: departments the app can see (with names when permitted). */
  async listDepartments(id?: number): Promise<WeComAnswer> {
    const query: Record<string, string> = id === undefined ? {} : { id: String(id) };
    return this.withToken((token) =>
      callWeCom(this.http, 'department', '/cgi-bin/department/list', { access_token: token, ...query }),
    );
  }

  private async fetchToken(): Promise<{ token: string; expiresIn: number }> {
    const { corpId, secret } = this.options.config;
    const answer = await this.retryBusy(() =>
      callWeCom(this.http, 'gettoken', '/cgi-bin/gettoken', { corpid: corpId, corpsecret: secret }),
    );
    const token = text(answer.access_token);
    if (!token) throw new WeComApiError('gettoken', -1, 'gettoken answered without access_token');
    const expiresIn = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 7200;
    return { token, expiresIn };
  }

  private async withToken(call: (token: string) => Promise<WeComAnswer>): Promise<WeComAnswer> {
    const token = await this.tokens.get();
    try {
      return await this.retryBusy(() => call(token));
    } catch (error) {
      if (!(error instanceof WeComApiError) || error.action !== 'retry') throw error;
      await this.tokens.invalidate(token);
      const fresh = await this.tokens.get();
      return this.retryBusy(() => call(fresh));
    }
  }

  /** One short retry on "system busy" (-1); never a loop. */
  private async retryBusy(call: () => Promise<WeComAnswer>): Promise<WeComAnswer> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof WeComApiError) || error.errcode !== -1) throw error;
      await sleep(this.options.busyRetryDelayMs ?? 200);
      return call();
    }
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
