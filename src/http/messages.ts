/**
 * What error pages say, by error `reason` (falling back to the OAuth error code).
 * Keep both languages in step; the test suite checks every entry has both.
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

/** Messages by reason. */
export const REASON_MESSAGES: Readonly<Record<string, PageMessage>> = {
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
  login_not_found: m(
    'This sign-in link is no longer valid',
    '登录链接已失效',
    'The sign-in took too long, was already completed, or was started in another browser. Go back to the application and sign in again.',
    '登录超时、已经完成，或是在另一个浏览器中发起的。请返回应用重新登录。',
  ),
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
  store_unavailable: m(
    'Sign-in is temporarily unavailable',
    '登录服务暂时不可用',
    'The sign-in service cannot reach its session store. Please try again in a moment.',
    '登录服务暂时无法访问会话存储，请稍后重试。',
  ),
  invalid_request: m(
    'Invalid sign-in request',
    '无效的登录请求',
    'The sign-in request is malformed. Go back to the application and try again.',
    '登录请求格式有误。请返回应用重试。',
  ),
  server_error: m(
    'Sign-in is not set up correctly',
    '登录服务配置有误',
    'The sign-in service could not complete your sign-in because of a configuration problem. Please tell your administrator the request ID below.',
    '由于配置问题，登录服务无法完成登录。请将下方的请求编号告知管理员。',
  ),
  temporarily_unavailable: m(
    'Sign-in is temporarily unavailable',
    '登录服务暂时不可用',
    'WeCom or the sign-in service is busy. Please try again in a moment.',
    '企业微信或登录服务繁忙，请稍后重试。',
  ),
  access_denied: m(
    'Sign-in refused',
    '登录被拒绝',
    'Your WeCom account may not sign in to this application.',
    '您的企业微信账号无权登录此应用。',
  ),
  rate_limited: m(
    'Too many sign-in attempts',
    '登录请求过于频繁',
    'Too many requests came from this network or application. Please wait a moment and try again.',
    '来自此网络或应用的请求过多，请稍等片刻后重试。',
  ),
  callback_in_progress: m(
    'Sign-in still in progress',
    '登录仍在进行中',
    'This sign-in is still being completed in another tab or window. Go back to the application; if it does not continue, sign in again.',
    '此次登录正在另一个标签页或窗口中完成。请返回应用；若未继续，请重新登录。',
  ),
  invalid_id_token_hint: m(
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
  logout_foreign: m(
    'Please sign out where you started',
    '请在发起退出的浏览器中确认',
    'This sign-out confirmation was not requested in this browser (or cookies are blocked). Start the sign-out again from the application.',
    '此退出确认并非在当前浏览器中发起（或浏览器禁用了 Cookie）。请在应用中重新退出。',
  ),
  not_found: m('Page not found', '页面不存在', 'There is nothing at this address.', '此地址没有内容。'),
};
