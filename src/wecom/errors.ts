/**
 * Turns a WeCom failure into a {@link BridgeError} the rest of the bridge can answer.
 */
import { BridgeError, type OAuthErrorCode } from '../errors/bridge-error.js';
import { classifyErrcode, type WeComAction } from './errcodes.js';

/** The WeCom server APIs the bridge calls (metric and log label). */
export type WeComApiName = 'gettoken' | 'getuserinfo' | 'getuserdetail' | 'userget' | 'department';

const OAUTH_CODE: Record<WeComAction, OAuthErrorCode> = {
  retry: 'temporarily_unavailable',
  restart: 'temporarily_unavailable',
  config: 'server_error',
  bug: 'server_error',
  deny: 'access_denied',
  backoff: 'temporarily_unavailable',
  ticket: 'temporarily_unavailable',
};

const STATUS: Record<OAuthErrorCode, number> = {
  temporarily_unavailable: 503,
  server_error: 502,
  access_denied: 403,
} as Record<OAuthErrorCode, number>;

const DESCRIPTIONS: Partial<Record<WeComAction, string>> = {
  deny: 'This WeCom account may not sign in here',
  restart: 'The WeCom sign-in expired or was already used; please sign in again',
  backoff: 'WeCom is busy; please try again in a moment',
  retry: 'WeCom rejected the access token twice; please try again in a moment',
};

/** A failed WeCom call: errcode (or -1 for transport failures), the API and the action. */
export class WeComApiError extends BridgeError {
  readonly errcode: number;
  readonly api: WeComApiName;
  readonly action: WeComAction;

  constructor(api: WeComApiName, errcode: number, errmsg: string, cause?: unknown) {
    const info = classifyErrcode(errcode, api);
    const ip = /from ip: ?([0-9a-fA-F.:]+)/.exec(errmsg)?.[1];
    const code = OAUTH_CODE[info.action];
    super({
      code,
      status: STATUS[code],
      reason: info.reason,
      description: DESCRIPTIONS[info.action] ?? `WeCom ${api} failed with errcode ${errcode}`,
      expose:
        info.action === 'deny' || info.action === 'restart' || info.action === 'backoff' || info.action === 'retry',
      ...(info.hint === undefined ? {} : { hint: ip ? `${info.hint} (WeCom saw this server as ${ip})` : info.hint }),
      details: { wecomApi: api, errcode, ...(ip ? { egressIp: ip } : {}) },
      cause,
    });
    this.name = 'WeComApiError';
    this.errcode = errcode;
    this.api = api;
    this.action = info.action;
  }
}
