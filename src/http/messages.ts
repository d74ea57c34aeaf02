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
  not_found: m('Page not found', '页面不存在', 'There is nothing at this address.', '此地址没有内容。'),
};
