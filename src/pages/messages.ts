/**
 * What pages say, by error `reason` (falling back to the OAuth error code): a title and what to
 * do, for the person in front of the browser. Keep both languages in step; a test walks every
 * reason the code can produce and checks that each has both texts.
 */
import type { Text } from './i18n.js';

/** Title and explanation of a failure, for the person in front of the browser. */
export interface PageMessage {
  readonly title: Text;
  readonly message: Text;
}

const m = (titleEn: string, titleZh: string, messageEn: string, messageZh: string): PageMessage => ({
  title: { en: titleEn, zh: titleZh },
  message: { en: messageEn, zh: messageZh },
});

const SIGN_IN_AGAIN = m(
  'This sign-in link is no longer valid',
  '登录链接已失效',
  'The sign-in took too long, was already completed, or was started in another browser. Go back to the application and sign in again.',
  '登录超时、已经完成，或是在另一个浏览器中发起的。请返回应用重新登录。',
);

const CONFIG = m(
  'Sign-in is not set up correctly',
  '登录服务配置有误',
  'The sign-in service could not complete your sign-in because of a configuration problem. Please tell your administrator the request ID below; the note for the administrator says what to fix.',
  '由于配置问题，登录服务无法完成登录。请将下方的请求编号告知管理员；“给管理员”一栏写明了需要修改的配置。',
);

const BUSY = m(
  'Sign-in is temporarily unavailable',
  '登录服务暂时不可用',
  'WeCom or the sign-in service is busy. Please try again in a moment.',
  '企业微信或登录服务繁忙，请稍后重试。',
);

const WECOM_EXPIRED = m(
  'The WeCom sign-in expired',
  '企业微信登录已过期',
  'WeCom no longer accepts this sign-in (it expired or was already used). Go back to the application and sign in again.',
  '企业微信已不再接受此次登录（已过期或已被使用）。请返回应用重新登录。',
);

const NOT_VISIBLE = m(
  'Not available to your account',
  '您的账号不在应用可见范围内',
  'This WeCom app is not available to your account. Ask your WeCom administrator to add you to the app’s visible range.',
  '此企业微信应用未对您的账号开放。请联系企业微信管理员将您加入应用的可见范围。',
);

const INVALID_REQUEST = m(
  'Invalid sign-in request',
  '无效的登录请求',
  'The sign-in request is malformed. Go back to the application and try again.',
  '登录请求格式有误。请返回应用重试。',
);

/** Messages by reason (and by OAuth error code as the fallback). */
export const REASON_MESSAGES: Readonly<Record<string, PageMessage>> = {
  // Requests the bridge cannot trust enough to redirect.
  unknown_client: m(
    'Unknown application',
    '未知的应用',
    'The application that sent you here is not registered with this sign-in service. Ask its administrator to check the client ID.',
    '将您带到此处的应用未在本登录服务中登记。请联系该应用的管理员检查 client_id 配置。',
  ),
  redirect_uri_mismatch: m(
    'Sign-in address not allowed',
    '不允许的登录回调地址',
    'The application asked to return to an address that is not registered. For your safety you were not sent there. Ask its administrator to register the exact redirect URI.',
    '应用要求返回一个未登记的地址。为了您的安全，登录未继续。请联系管理员登记完全一致的回调地址（redirect_uri）。',
  ),
  unsupported_response_mode: m(
    'Unsupported sign-in request',
    '不支持的登录请求',
    'The application asked for a response mode this sign-in service does not support. Ask its administrator to use response_mode=query.',
    '应用请求了本登录服务不支持的响应方式。请联系应用管理员使用 response_mode=query。',
  ),
  duplicate_parameter: INVALID_REQUEST,
  malformed_parameter: INVALID_REQUEST,
  parameter_too_long: INVALID_REQUEST,
  request_too_large: INVALID_REQUEST,
  malformed_request: INVALID_REQUEST,
  malformed_url: INVALID_REQUEST,
  invalid_request: INVALID_REQUEST,
  method_not_allowed: INVALID_REQUEST,
  // Normally redirected to the relying party; shown only if it cannot be.
  unsupported_prompt: INVALID_REQUEST,
  pkce_method_unsupported: INVALID_REQUEST,
  pkce_malformed: INVALID_REQUEST,
  invalid_id_token_hint: m(
    'Invalid sign-in request',
    '无效的登录请求',
    'The application sent a sign-in hint this service did not issue. Go back to the application and sign in again.',
    '应用发送了不是本服务签发的登录提示（id_token_hint）。请返回应用重新登录。',
  ),
  // The WeCom callback.
  login_not_found: SIGN_IN_AGAIN,
  browser_mismatch: m(
    'Please finish signing in where you started',
    '请在发起登录的浏览器中完成登录',
    'This sign-in was started in another browser or with cookies blocked. Go back to the application in this browser and sign in again (cookies must be allowed).',
    '此次登录是在另一个浏览器中发起的，或浏览器禁用了 Cookie。请在当前浏览器中返回应用重新登录（需允许 Cookie）。',
  ),
  malformed_state: m(
    'Invalid sign-in response',
    '无效的登录回调',
    'The response from WeCom is incomplete or malformed. Go back to the application and sign in again.',
    '来自企业微信的回调不完整或格式错误。请返回应用重新登录。',
  ),
  hint_user_mismatch: m(
    'Signed in with another account',
    '登录的账号与应用要求的不一致',
    'You signed in to WeCom with another account than the one the application expected. Go back to the application and sign in again with the right account.',
    '您在企业微信中登录的账号与应用要求的账号不一致。请返回应用，使用正确的账号重新登录。',
  ),
  // Who may sign in.
  access_denied: m(
    'Sign-in refused',
    '登录被拒绝',
    'Your WeCom account may not sign in to this application.',
    '您的企业微信账号无权登录此应用。',
  ),
  policy_denied: m(
    'No access to this application',
    '您无权使用此应用',
    'Your WeCom account is valid, but this application is open only to certain members or departments. Ask your administrator for access if you need it.',
    '您的企业微信账号有效，但此应用仅对指定的成员或部门开放。如需使用，请联系管理员开通权限。',
  ),
  wecom_cancelled: m(
    'Sign-in cancelled',
    '已取消登录',
    'The sign-in was cancelled in WeCom.',
    '已在企业微信中取消登录。',
  ),
  wecom_not_member: m(
    'Only members can sign in',
    '仅限企业成员登录',
    'The WeCom account you used is not a member of this organisation. Sign in with your work account of this organisation.',
    '您使用的企业微信账号不是本企业的成员。请使用本企业的工作账号登录。',
  ),
  wecom_user_disabled: m(
    'Your account is disabled',
    '您的账号已被禁用',
    'Your WeCom account is disabled in this organisation. Ask your WeCom administrator to enable it.',
    '您的企业微信账号已在本企业中被禁用。请联系企业微信管理员启用。',
  ),
  wecom_user_inactive: m(
    'Your account is not activated',
    '您的账号尚未激活',
    'Your WeCom account is not activated yet. Activate it in the WeCom app (accept the invitation), then sign in again.',
    '您的企业微信账号尚未激活。请先在企业微信中接受邀请、激活账号，然后重新登录。',
  ),
  wecom_user_departed: m(
    'Your account has left the organisation',
    '您的账号已离职',
    'This WeCom account has left the organisation and can no longer sign in.',
    '此企业微信账号已离职，无法再登录。',
  ),
  wecom_user_not_found: m(
    'Account not found',
    '找不到您的账号',
    'WeCom does not know this account in the organisation any more (it may have left, been deleted, or be hidden from this app).',
    '企业微信中已找不到此账号（可能已离职、被删除，或对本应用不可见）。',
  ),
  wecom_invalid_userid: m(
    'Account not found',
    '找不到您的账号',
    'WeCom did not accept the account identifier.',
    '企业微信不接受该账号标识。',
  ),
  wecom_not_visible: NOT_VISIBLE,
  wecom_outside_permission: NOT_VISIBLE,
  wecom_department_not_found: NOT_VISIBLE,
  // First login: phone and email.
  claims_missing: m(
    'Your phone number or email is needed',
    '需要您的手机号或邮箱',
    'This application needs your phone number or email, which WeCom shares only when you allow it inside the WeCom app. Sign in again and choose “Allow” on WeCom’s consent page.',
    '此应用需要您的手机号或邮箱，而企业微信只有在您于企业微信 App 内同意授权后才会提供。请重新登录，并在企业微信的授权页面选择“同意”。',
  ),
  handoff_expired: m(
    'This QR code has expired',
    '二维码已过期',
    'The QR code is no longer valid. Go back to your computer and start the sign-in again.',
    '此二维码已失效。请回到电脑上重新发起登录。',
  ),
  handoff_used: m(
    'This QR code was already used',
    '二维码已被使用',
    'Each QR code works once. If the sign-in on your computer did not finish, start it again there.',
    '每个二维码只能使用一次。如果电脑上的登录没有完成，请在电脑上重新发起登录。',
  ),
  handoff_user_mismatch: m(
    'Different WeCom account',
    '企业微信账号不一致',
    'The phone is signed in to WeCom with another account than the computer. Nobody was signed in. Scan the code with the same WeCom account you use on the computer.',
    '手机上登录的企业微信账号与电脑上的不是同一个，本次登录未完成。请使用与电脑上相同的企业微信账号扫码。',
  ),
  handoff_claims_missing: m(
    'Your phone number or email was not shared',
    '未获得您的手机号或邮箱',
    'WeCom did not share the phone number or email this application needs: choose “Allow” on the consent page, or ask your administrator whether WeCom holds them for your account.',
    '企业微信未提供此应用所需的手机号或邮箱：请在授权页面选择“同意”，或请管理员确认您的企业微信账号中是否已填写这些信息。',
  ),
  handoff_cancelled: m('Sign-in cancelled', '已取消登录', 'The sign-in was cancelled.', '已取消登录。'),
  handoff_wrong_client: m(
    'Open this code with WeCom',
    '请使用企业微信扫码',
    'This QR code must be scanned with the WeCom app on your phone (Scan in the “+” menu of WeCom), not with the camera or another app.',
    '此二维码需要用手机上的企业微信扫描（企业微信右上角“+”→“扫一扫”），而不是相机或其他 App。',
  ),
  // WeCom is unhappy with the setup: the administrator hint names the fix (admin-hints.ts).
  server_error: CONFIG,
  internal_error: CONFIG,
  wecom_error: CONFIG,
  wecom_invalid_corpid: CONFIG,
  wecom_invalid_secret: CONFIG,
  wecom_missing_corpid: CONFIG,
  wecom_missing_secret: CONFIG,
  wecom_invalid_agentid: CONFIG,
  wecom_agent_mismatch: CONFIG,
  wecom_api_forbidden: CONFIG,
  wecom_sync_secret: CONFIG,
  wecom_untrusted_domain: CONFIG,
  wecom_app_disabled: CONFIG,
  wecom_untrusted_ip: CONFIG,
  wecom_domain_not_filed: CONFIG,
  wecom_domain_not_verified: CONFIG,
  wecom_bad_parameter: CONFIG,
  wecom_empty_parameter: CONFIG,
  // Passing trouble: try again.
  temporarily_unavailable: BUSY,
  store_unavailable: m(
    'Sign-in is temporarily unavailable',
    '登录服务暂时不可用',
    'The sign-in service cannot reach its session store. Please try again in a moment.',
    '登录服务暂时无法访问会话存储，请稍后重试。',
  ),
  wecom_busy: BUSY,
  wecom_rate_limited: BUSY,
  wecom_concurrency_limited: BUSY,
  wecom_invalid_credential: BUSY,
  wecom_token_invalid: BUSY,
  wecom_token_expired: BUSY,
  wecom_token_missing: BUSY,
  wecom_ticket_expired: WECOM_EXPIRED,
  wecom_ticket_invalid: WECOM_EXPIRED,
  wecom_ticket_missing: WECOM_EXPIRED,
  wecom_code_invalid: WECOM_EXPIRED,
  wecom_code_expired: WECOM_EXPIRED,
  wecom_code_used: WECOM_EXPIRED,
  wecom_code_missing: WECOM_EXPIRED,
  login_required: SIGN_IN_AGAIN,
  wecom_code_failures_hour: m(
    'Sign-in is paused for new networks',
    '新网络的登录暂时暂停',
    'Many failed sign-ins reached the sign-in service this hour, so sign-ins from networks it has not seen today wait until the hour ends. Sign in from your office network, or try again later.',
    '本小时内登录服务收到大量失败的登录请求，今天未见过的网络需要等到本小时结束后才能登录。请在办公网络中登录，或稍后重试。',
  ),
  rate_limited: m(
    'Too many sign-in attempts',
    '登录请求过于频繁',
    'Too many requests came from this network or application. Please wait a moment and try again.',
    '来自此网络或应用的请求过多，请稍等片刻后重试。',
  ),
  scope_exceeds_grant: m(
    'Invalid request',
    '无效的请求',
    'The application asked for more access than the user granted. Sign in again from the application.',
    '应用请求的权限超出了用户授予的范围。请在应用中重新登录。',
  ),
  callback_in_progress: m(
    'Sign-in still in progress',
    '登录仍在进行中',
    'This sign-in is still being completed in another tab or window. Go back to the application; if it does not continue, sign in again.',
    '此次登录正在另一个标签页或窗口中完成。请返回应用；若未继续，请重新登录。',
  ),
  invalid_logout_hint: m(
    'Invalid sign-out request',
    '无效的退出请求',
    'The application sent a sign-out request this service did not issue or cannot verify. You were not signed out and were not sent anywhere.',
    '应用发送的退出请求无法验证，并非由本服务签发。您尚未退出，也不会被跳转到其他地址。',
  ),
  logout_client_mismatch: m(
    'Invalid sign-out request',
    '无效的退出请求',
    'The sign-out request names two different applications. You were not signed out and were not sent anywhere.',
    '退出请求中的应用信息不一致。您尚未退出，也不会被跳转到其他地址。',
  ),
  post_logout_redirect_uri_mismatch: m(
    'Sign-out address not allowed',
    '不允许的退出回调地址',
    'The application asked to return to an address that is not registered for it. You were not signed out and were not sent there. Ask its administrator to register the exact post-logout redirect URI.',
    '应用要求退出后返回一个未登记的地址。您尚未退出，也不会被跳转。请联系管理员登记完全一致的退出回调地址（post_logout_redirect_uri）。',
  ),
  logout_expired: m(
    'This sign-out link is no longer valid',
    '退出链接已失效',
    'The sign-out confirmation expired or was already used. Start the sign-out again from the application.',
    '退出确认已过期或已被使用。请在应用中重新退出。',
  ),
  logout_state_too_long: m(
    'Invalid sign-out request',
    '无效的退出请求',
    'The application sent a sign-out request with a state value longer than 512 characters. You were not signed out. Ask its administrator to send a shorter state.',
    '应用发送的退出请求中 state 参数超过 512 个字符。您尚未退出。请联系应用管理员缩短 state。',
  ),
  logout_foreign: m(
    'Please sign out where you started',
    '请在发起退出的浏览器中确认',
    'This sign-out confirmation was not requested in this browser (or cookies are blocked). Start the sign-out again from the application.',
    '此退出确认并非在当前浏览器中发起（或浏览器禁用了 Cookie）。请在应用中重新退出。',
  ),
  not_found: m('Page not found', '页面不存在', 'There is nothing at this address.', '此地址没有内容。'),
};

/** The message for a reason, else for the OAuth code, else the generic "invalid request". */
export function pageMessage(reason: string, code: string): PageMessage {
  return REASON_MESSAGES[reason] ?? REASON_MESSAGES[code] ?? INVALID_REQUEST;
}
