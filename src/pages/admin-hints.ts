/**
 * What an administrator must fix, in both languages, by error reason: shown on pages under
 * "For the administrator". The English hint on the error itself (errcodes.ts) is what the log
 * says; these texts add what only the running bridge knows: the IP WeCom saw (60020), the host
 * to register as trusted domain (50001), the configured corp ID (40013).
 */
import type { BridgeError } from '../errors/bridge-error.js';
import type { Lang, Text } from './i18n.js';

/** Facts of this deployment the hints may name. */
export interface HintFacts {
  /** Host (and port, if any) of PUBLIC_URL: what WeCom must trust. */
  readonly publicHost?: string;
  readonly corpId?: string;
}

type HintText = (values: Readonly<Record<string, string>>) => Text;

const fixed =
  (en: string, zh: string): HintText =>
  () => ({ en, zh });

/** Hints by reason. `{ip}`-style values come from the error and {@link HintFacts}. */
const HINTS: Readonly<Record<string, HintText>> = {
  wecom_untrusted_ip: ({ ip }) =>
    ip
      ? {
          en: `WeCom refused this server's IP address ${ip} (errcode 60020). Add ${ip} to the app's trusted IPs: admin console → 应用管理 → the app → 企业可信IP. It applies after about a minute.`,
          zh: `企业微信拒绝了本服务器的 IP 地址 ${ip}（错误码 60020）。请在管理后台 → 应用管理 → 本应用 → 企业可信IP 中添加 ${ip}，约一分钟后生效。`,
        }
      : {
          en: "WeCom refused this server's IP address (errcode 60020). Add the server's egress IP to the app's trusted IPs: 应用管理 → the app → 企业可信IP.",
          zh: '企业微信拒绝了本服务器的 IP 地址（错误码 60020）。请在 应用管理 → 本应用 → 企业可信IP 中添加服务器的出口 IP。',
        },
  wecom_untrusted_domain: ({ host }) => ({
    en: `WeCom does not trust the domain of this sign-in service (errcode 50001). Set ${host} as the app's trusted domain: 应用管理 → the app → 网页授权及JS-SDK → 可信域名 (in-client login) and 企业微信授权登录 → Web网页授权回调域 (desktop login). WECOM_SECRET must be the Secret of that same app.`,
    zh: `企业微信不信任本登录服务的域名（错误码 50001）。请将 ${host} 设为应用的可信域名：应用管理 → 本应用 → 网页授权及JS-SDK → 可信域名（企业微信内登录），以及 企业微信授权登录 → Web网页授权回调域（电脑端登录）。WECOM_SECRET 必须是同一个应用的 Secret。`,
  }),
  wecom_invalid_corpid: ({ corpId }) => ({
    en: `WeCom does not know the corp ID ${corpId} (errcode 40013). Copy 企业ID from 我的企业 → 企业信息 into WECOM_CORP_ID.`,
    zh: `企业微信不认识企业ID ${corpId}（错误码 40013）。请从 我的企业 → 企业信息 复制企业ID，填入 WECOM_CORP_ID。`,
  }),
  wecom_invalid_secret: fixed(
    'WeCom refused the app secret (errcode 40001/40091): WECOM_SECRET is wrong, was reset in the console, belongs to another app, or the app is disabled. Copy the current Secret of this self-built app (应用管理 → the app → Secret). The bridge does not retry: repeated wrong secrets get the IP banned for an hour.',
    '企业微信拒绝了应用 Secret（错误码 40001/40091）：WECOM_SECRET 有误、已在后台重置、属于其他应用，或应用已停用。请复制本自建应用当前的 Secret（应用管理 → 本应用 → Secret）。本服务不会自动重试：连续使用错误的 Secret 会导致 IP 被封禁一小时。',
  ),
  wecom_missing_corpid: fixed('WECOM_CORP_ID is empty (errcode 41002).', 'WECOM_CORP_ID 为空（错误码 41002）。'),
  wecom_missing_secret: fixed(
    'WECOM_SECRET is empty (errcode 41004); check WECOM_SECRET_FILE.',
    'WECOM_SECRET 为空（错误码 41004），请检查 WECOM_SECRET_FILE。',
  ),
  wecom_invalid_agentid: fixed(
    'WECOM_AGENT_ID is not the AgentId of an app of this corp (errcode 40056).',
    'WECOM_AGENT_ID 不是本企业某个应用的 AgentId（错误码 40056）。',
  ),
  wecom_agent_mismatch: fixed(
    'WECOM_AGENT_ID and WECOM_SECRET belong to different apps (errcode 301002).',
    'WECOM_AGENT_ID 与 WECOM_SECRET 属于不同的应用（错误码 301002）。',
  ),
  wecom_api_forbidden: fixed(
    "This app may not call the API (errcode 48002): use the self-built app's own Secret and check its permissions.",
    '该应用无权调用此接口（错误码 48002）：请使用自建应用自己的 Secret，并检查应用权限。',
  ),
  wecom_sync_secret: fixed(
    'The contact-sync (通讯录同步) Secret is configured (errcode 48009); use the Secret of the self-built app.',
    '配置的是通讯录同步的 Secret（错误码 48009），请改用自建应用的 Secret。',
  ),
  wecom_app_disabled: fixed(
    'The app is disabled (errcode 50003): enable it in 应用管理.',
    '应用已停用（错误码 50003）：请在 应用管理 中启用。',
  ),
  wecom_domain_not_filed: ({ host }) => ({
    en: `The domain ${host} is not ICP-filed by this corp or a related entity (errcode 80001).`,
    zh: `域名 ${host} 未由本企业或关联主体备案（错误码 80001）。`,
  }),
  wecom_domain_not_verified: ({ host }) => ({
    en: `Verify the domain ${host}: serve the WW_verify_*.txt file from the console at its root (errcode 85005).`,
    zh: `请验证域名 ${host}：在其根目录放置管理后台提供的 WW_verify_*.txt 文件（错误码 85005）。`,
  }),
  wecom_not_visible: fixed(
    "The member is outside the app's visible range (errcode 60011/60021): add them, or their department, to 应用管理 → the app → 可见范围.",
    '该成员不在应用的可见范围内（错误码 60011/60021）：请在 应用管理 → 本应用 → 可见范围 中添加该成员或其部门。',
  ),
  policy_denied: fixed(
    'The member is neither in WECOM_ALLOWED_USERS nor in (a sub-department of) WECOM_ALLOWED_DEPARTMENTS.',
    '该成员既不在 WECOM_ALLOWED_USERS 中，也不在 WECOM_ALLOWED_DEPARTMENTS（含子部门）中。',
  ),
  wecom_rate_limited: fixed(
    'WeCom rate-limits or blocks this server (errcode 45009: too many calls or wrong secrets); it lifts by itself after the block period.',
    '企业微信对本服务器限流或封禁（错误码 45009：调用过多或 Secret 错误次数过多），封禁期过后自动解除。',
  ),
  wecom_error: ({ errcode }) => ({
    en: `WeCom answered errcode ${errcode}: look it up at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
    zh: `企业微信返回错误码 ${errcode}：可在 https://open.work.weixin.qq.com/devtool/query?e=${errcode} 查询。`,
  }),
};

/** Reasons with a localised hint (tests check that every config errcode has one). */
export const HINTED_REASONS: readonly string[] = Object.keys(HINTS);

/** The administrator hint for `error` in `lang`; the error's own (English) hint when none is localised. */
export function adminHint(error: BridgeError, lang: Lang, facts: HintFacts = {}): string | undefined {
  if (error.hint === undefined) return undefined;
  const hint = HINTS[error.reason];
  if (!hint) return error.hint;
  const details = error.details;
  return hint({
    ip: typeof details.egressIp === 'string' ? details.egressIp : '',
    errcode: details.errcode === undefined ? '' : String(details.errcode),
    host: facts.publicHost ?? 'the host of PUBLIC_URL',
    corpId: facts.corpId ?? 'WECOM_CORP_ID',
  })[lang];
}

/** The facts of a deployment from its public URL and corp ID. */
export function hintFacts(publicUrl: string, corpId: string): HintFacts {
  return { publicHost: new URL(publicUrl).host, corpId };
}
