/** The WeCom app, its pages and its event server (offboarding). (Declared once: see ../variables.ts.) */
import { z } from 'zod';
import { baseUrl, oneOf, optionalMatching, optionalText, requiredText, seconds } from '../parsers.js';
import { declare } from '../variable.js';

/** The WeCom app, its pages and its event server (offboarding). */
export const WECOM_VARIABLES = declare({
  WECOM_CORP_ID: {
    group: 'wecom',
    unset: 'required',
    description: 'Corp ID (企业ID): admin console → 我的企业 → 企业信息.',
    example: 'ww0123456789abcdef',
    parse: requiredText('the corp ID, 企业ID').pipe(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
        error: 'must be the corp ID as shown in the admin console (letters and digits)',
      }),
    ),
  },
  WECOM_AGENT_ID: {
    group: 'wecom',
    unset: 'required',
    description: 'AgentId of the self-built app (应用管理 → the app).',
    example: '1000002',
    parse: requiredText('the AgentId of the self-built app').pipe(
      z.string().regex(/^\d{1,12}$/, { error: 'must be the numeric AgentId of the self-built app' }),
    ),
  },
  WECOM_SECRET: {
    group: 'wecom',
    unset: 'required',
    description: 'Secret of that app. WECOM_SECRET_FILE reads it from a file instead.',
    secret: true,
    fileVariant: true,
    example: 'replace-with-the-app-secret',
    parse: requiredText('the app secret; or set WECOM_SECRET_FILE'),
  },
  WECOM_API_BASE: {
    group: 'wecom',
    default: 'https://qyapi.weixin.qq.com',
    description: 'WeCom server API base (private deployments, egress proxies, the simulator).',
    parse: baseUrl,
  },
  WECOM_OAUTH_BASE: {
    group: 'wecom',
    default: 'https://open.weixin.qq.com',
    description: 'Base of the in-client OAuth authorize page.',
    parse: baseUrl,
  },
  WECOM_SSO_BASE: {
    group: 'wecom',
    default: 'https://login.work.weixin.qq.com',
    description: 'Base of the desktop web login (QR code / desktop-client quick login).',
    parse: baseUrl,
  },
  WECOM_SCOPE: {
    group: 'wecom',
    default: 'snsapi_privateinfo',
    description:
      'In-client OAuth scope. snsapi_privateinfo shows a consent page and yields mobile/email; snsapi_base is silent (userid only).',
    parse: oneOf(['snsapi_base', 'snsapi_privateinfo'], 'must be snsapi_privateinfo or snsapi_base'),
  },
  WECOM_LOGIN_MODE: {
    group: 'wecom',
    default: 'auto',
    description:
      'auto: in-client OAuth when the User-Agent contains "wxwork", desktop web login otherwise; oauth: always in-client OAuth; qr: always web login.',
    parse: oneOf(['auto', 'oauth', 'qr'], 'must be auto, oauth or qr'),
  },
  WECOM_DOMAIN_VERIFY_FILE: {
    group: 'wecom',
    description:
      'WeCom domain verification file(s) to serve at /WW_verify_<token>.txt, for 可信域名 → 校验域名归属: `WW_verify_<token>.txt:<content>` or the path of the downloaded file; comma-separated for several. WeCom fetches it from the domain root (see the WeCom guide when PUBLIC_URL has a path).',
    example: 'WW_verify_AbC123xYz.txt:AbC123xYz',
    // Parsed (and files read) by domain-verify.ts from load.ts: reading files is the loader's job.
    parse: optionalText,
  },
  WECOM_CALLBACK_TOKEN: {
    group: 'events',
    unset: 'events off',
    description:
      'Token of the event server that receives contact changes (应用管理 → the app → 接收消息 → 设置API接收 → Token): 3-32 letters and digits. With WECOM_CALLBACK_AES_KEY (both or neither) it turns on GET/POST /wecom/events, so that a member deleted or disabled in WeCom is signed out everywhere at once. WECOM_CALLBACK_TOKEN_FILE reads it from a file.',
    secret: true,
    fileVariant: true,
    example: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
    parse: optionalMatching(/^[A-Za-z0-9]{3,32}$/, 'must be the Token of 设置API接收: 3-32 letters and digits'),
  },
  WECOM_CALLBACK_AES_KEY: {
    group: 'events',
    unset: 'events off',
    description:
      'EncodingAESKey of the same event server (43 letters and digits). WECOM_CALLBACK_AES_KEY_FILE reads it from a file.',
    secret: true,
    fileVariant: true,
    example: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    parse: optionalMatching(/^[A-Za-z0-9]{43}$/, 'must be the EncodingAESKey of 设置API接收: 43 letters and digits'),
  },
  OFFBOARDING_LEASE: {
    group: 'events',
    default: '30',
    description:
      'How long a replica holds an offboarding job it took (a member to end, a logout token to deliver) before another replica may take it over, seconds: only a replica that stops without finishing its job leaves one waiting this long. Longer than a delivery’s 5 s timeout; keep the default in production (tests lower it).',
    parse: seconds(10, 600),
  },
});
