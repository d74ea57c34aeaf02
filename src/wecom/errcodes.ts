/**
 * The one table of WeCom `errcode`s: what each means for the bridge and what the admin must do.
 *
 * Source: ../shared/notes/wecom-api.md §8 (official docs 90313 and peers' SDKs). Branch on
 * `errcode` only; WeCom's `errmsg` is Chinese, changes, and carries the egress IP.
 */

/**
 * What the bridge does about an error.
 * - `retry`: the access token is dead: drop it, fetch a new one, retry the call once.
 * - `restart`: the WeCom code or ticket is dead: start a fresh WeCom leg (at most once).
 * - `config`: an administrator must fix the setup: fail with `server_error` and log the hint.
 * - `deny`: this person may not sign in: `access_denied`.
 * - `backoff`: WeCom is busy or rate limits us: `temporarily_unavailable`, no hot retry loop.
 * - `ticket`: the user_ticket is unusable: continue without the consented profile.
 * - `bug`: the bridge sent a malformed request.
 */
export type WeComAction = 'retry' | 'restart' | 'config' | 'deny' | 'backoff' | 'ticket' | 'bug';

/** One row of the table. */
export interface WeComErrcodeInfo {
  readonly action: WeComAction;
  /** Stable reason id (logs, metrics, page texts). */
  readonly reason: string;
  /** For `config`: what the administrator must do. */
  readonly hint?: string;
}

const TRUSTED_DOMAIN_HINT =
  'The host of PUBLIC_URL (with its port, if not 443) must be a trusted domain of this app: 网页授权及JS-SDK → 可信域名 for in-client login, and 企业微信授权登录 → Web网页授权回调域 for web login; the code and the secret must belong to the same app';

const TABLE: Readonly<Record<number, WeComErrcodeInfo>> = {
  [-1]: { action: 'backoff', reason: 'wecom_busy' },
  40001: { action: 'retry', reason: 'wecom_invalid_credential' },
  40013: {
    action: 'config',
    reason: 'wecom_invalid_corpid',
    hint: 'WECOM_CORP_ID is wrong: copy 企业ID from 我的企业 → 企业信息',
  },
  40091: {
    action: 'config',
    reason: 'wecom_invalid_secret',
    hint: 'WECOM_SECRET belongs to another corp or app: copy the Secret of this self-built app',
  },
  41002: { action: 'config', reason: 'wecom_missing_corpid', hint: 'WECOM_CORP_ID is empty' },
  41004: { action: 'config', reason: 'wecom_missing_secret', hint: 'WECOM_SECRET is empty (check WECOM_SECRET_FILE)' },
  40056: {
    action: 'config',
    reason: 'wecom_invalid_agentid',
    hint: 'WECOM_AGENT_ID is not the AgentId of an app of this corp',
  },
  301002: {
    action: 'config',
    reason: 'wecom_agent_mismatch',
    hint: 'WECOM_AGENT_ID and WECOM_SECRET belong to different apps',
  },
  48002: {
    action: 'config',
    reason: 'wecom_api_forbidden',
    hint: "This app may not call the API: use the self-built app's own secret and check its permissions",
  },
  48009: {
    action: 'config',
    reason: 'wecom_sync_secret',
    hint: 'Do not use the contact-sync (通讯录同步) secret; use the Secret of the self-built app',
  },
  50001: { action: 'config', reason: 'wecom_untrusted_domain', hint: TRUSTED_DOMAIN_HINT },
  50003: { action: 'config', reason: 'wecom_app_disabled', hint: 'The app is disabled: enable it in 应用管理' },
  60020: {
    action: 'config',
    reason: 'wecom_untrusted_ip',
    hint: "Add this server's egress IP to the app's 企业可信IP (应用管理 → the app → 企业可信IP); it applies after about a minute",
  },
  80001: {
    action: 'config',
    reason: 'wecom_domain_not_filed',
    hint: 'The domain is not ICP-filed by this corp or a related entity',
  },
  85005: {
    action: 'config',
    reason: 'wecom_domain_not_verified',
    hint: 'Verify the domain: serve the WW_verify_*.txt file at its root',
  },
  40014: { action: 'retry', reason: 'wecom_token_invalid' },
  42001: { action: 'retry', reason: 'wecom_token_expired' },
  41001: { action: 'retry', reason: 'wecom_token_missing' },
  40029: { action: 'restart', reason: 'wecom_code_invalid' },
  42003: { action: 'restart', reason: 'wecom_code_expired' },
  42022: { action: 'restart', reason: 'wecom_code_used' },
  41008: { action: 'restart', reason: 'wecom_code_missing' },
  84014: { action: 'ticket', reason: 'wecom_ticket_expired' },
  84015: { action: 'ticket', reason: 'wecom_ticket_invalid' },
  84090: { action: 'ticket', reason: 'wecom_ticket_missing' },
  40003: { action: 'deny', reason: 'wecom_invalid_userid' },
  50002: { action: 'deny', reason: 'wecom_outside_permission' },
  60011: {
    action: 'deny',
    reason: 'wecom_not_visible',
    hint: "The member is outside the app's visible range (可见范围)",
  },
  60021: {
    action: 'deny',
    reason: 'wecom_not_visible',
    hint: "The member is outside the app's visible range (可见范围)",
  },
  60111: { action: 'deny', reason: 'wecom_user_not_found' },
  60123: { action: 'deny', reason: 'wecom_department_not_found' },
  40058: { action: 'bug', reason: 'wecom_bad_parameter' },
  40063: { action: 'bug', reason: 'wecom_empty_parameter' },
  45009: {
    action: 'backoff',
    reason: 'wecom_rate_limited',
    hint: 'WeCom rate-limits or blocks this server (too many calls or wrong secrets); it lifts by itself after the block period',
  },
  45033: { action: 'backoff', reason: 'wecom_concurrency_limited' },
};

/** Config errors from gettoken: a wrong corp ID or secret. Retrying these bans the IP (45009). */
const GETTOKEN_CONFIG: Readonly<Record<number, WeComErrcodeInfo>> = {
  40001: {
    action: 'config',
    reason: 'wecom_invalid_secret',
    hint: 'WECOM_SECRET is wrong, was reset in the console, or the app is disabled: copy the current Secret of this self-built app',
  },
};

/**
 * Classifies an errcode. `gettoken` is special: there 40001 means a wrong secret (config), while
 * on any other API it means the access token went bad (retry once).
 */
export function classifyErrcode(errcode: number, api: string): WeComErrcodeInfo {
  if (api === 'gettoken' && GETTOKEN_CONFIG[errcode]) return GETTOKEN_CONFIG[errcode];
  return (
    TABLE[errcode] ?? {
      action: 'config',
      reason: 'wecom_error',
      hint: `WeCom answered errcode ${errcode}: see https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
    }
  );
}

/** Every row of the table, gettoken's own included (tests walk it: each reason needs page texts). */
export function errcodeRows(): readonly (readonly [number, WeComErrcodeInfo])[] {
  return [...Object.entries(TABLE), ...Object.entries(GETTOKEN_CONFIG)].map(
    ([code, info]) => [Number(code), info] as const,
  );
}

/** Every errcode the table knows (docs/troubleshooting.md must explain each; a test checks it). */
export function knownErrcodes(): number[] {
  return [...new Set(errcodeRows().map(([code]) => code))];
}
