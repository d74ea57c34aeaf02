/**
 * The hand-off's own pages: the desktop's waiting page (QR code, first-login explanation, live
 * status) and the phone's "done" page. Failures use the common error page.
 *
 * The waiting page polls `/handoff/status` with one small inline script, allowed by its hash in
 * the page's CSP (no 'unsafe-inline'); without JavaScript the "I have finished" button does the
 * same by hand. The QR code is an inline SVG drawn here (the `qrcode` package): nothing is loaded
 * from anywhere else.
 */
import { createHash } from 'node:crypto';
import QRCode from 'qrcode';
import type { RequiredClaim } from '../config/types.js';
import { escapeHtml, renderDocument } from './html.js';
import type { Lang, Text } from './i18n.js';
import { actions, footer, htmlLang, languageSwitch } from './page-kit.js';

const CLAIM_NAMES: Record<RequiredClaim, Text> = {
  phone_number: { en: 'phone number', zh: '手机号' },
  email: { en: 'email address', zh: '邮箱' },
};

const TEXT = {
  title: { en: 'Finish signing in on your phone', zh: '请在手机上完成首次登录' },
  why: {
    en: 'This application needs your {claims}. WeCom shares it only inside the WeCom app, after you allow it: a sign-in on the computer cannot get it.',
    zh: '此应用需要您的{claims}。企业微信只在企业微信 App 内、经您同意后才会提供，电脑端登录无法获取。',
  },
  step1: { en: 'Open WeCom on your phone and tap “+” → “Scan”.', zh: '在手机上打开企业微信，点击右上角“+”→“扫一扫”。' },
  step2: {
    en: 'Scan this code and choose “Allow” on the consent page.',
    zh: '扫描下方二维码，并在授权页面选择“同意”。',
  },
  step3: { en: 'This page then continues by itself.', zh: '完成后，本页面会自动继续登录。' },
  once: {
    en: 'You need to do this once: for the next {days} days, signing in on the computer carries it too.',
    zh: '只需操作一次：此后 {days} 天内在电脑上登录也会带上这些信息。',
  },
  validity: {
    en: 'The code is valid for {minutes} minutes and works once.',
    zh: '二维码 {minutes} 分钟内有效，且只能使用一次。',
  },
  qrLabel: { en: 'QR code to scan with WeCom', zh: '用企业微信扫描的二维码' },
  manual: {
    en: 'Cannot scan? Open this address in WeCom on your phone:',
    zh: '无法扫码？请在手机企业微信中打开此地址：',
  },
  finished: { en: 'I have finished on my phone', zh: '我已在手机上完成' },
  cancel: { en: 'Cancel', zh: '取消登录' },
  pending: { en: 'Waiting for the scan…', zh: '等待扫码…' },
  scanned: { en: 'Code scanned: confirm on your phone.', zh: '已扫码，请在手机上确认。' },
  done: { en: 'Done: continuing…', zh: '已完成，正在继续…' },
  phoneDoneTitle: { en: 'Done: go back to your computer', zh: '已完成，请回到电脑上继续' },
  phoneDone: {
    en: 'The sign-in on your computer continues by itself. You can close this page.',
    zh: '电脑上的登录会自动继续，您可以关闭此页面。',
  },
} satisfies Record<string, Text>;

/**
 * Polls the status every 2 s; on `done` goes on to the relying party; on `failed` reloads (the
 * page then explains); on `expired` goes back to the relying party with the error (nothing here
 * remembers the login any more, so only the relying party can offer to start again). Static
 * text: its hash is fixed, all data comes from attributes of `#handoff`.
 */
const POLL_SCRIPT = `(function(){var el=document.getElementById('handoff');if(!el)return;var label=document.getElementById('handoff-status');var texts=JSON.parse(el.getAttribute('data-texts'));
function poll(){fetch(el.getAttribute('data-status-url'),{credentials:'same-origin',cache:'no-store'}).then(function(r){return r.json()}).then(function(s){
if(s.status==='done'){label.textContent=texts.done;window.location.replace(el.getAttribute('data-continue-url'));return}
if(s.status==='expired'){window.location.replace(el.getAttribute('data-expired-url'));return}
if(s.status==='failed'){window.location.reload();return}
if(s.status==='forbidden')return;
if(s.status==='scanned')label.textContent=texts.scanned;setTimeout(poll,2000)}).catch(function(){setTimeout(poll,4000)})}
setTimeout(poll,1500)})();`;

/** CSP source that allows {@link POLL_SCRIPT}. */
export const POLL_SCRIPT_HASH = `'sha256-${createHash('sha256').update(POLL_SCRIPT).digest('base64')}'`;

/** What the waiting page shows. */
export interface WaitingPage {
  readonly lang: Lang;
  readonly requestId: string;
  /** Where the hand-off stands (login/handoff/records.ts). */
  readonly status: 'pending' | 'scanned' | 'done' | 'failed';
  readonly missing: readonly RequiredClaim[];
  readonly urls: { readonly page: string; readonly status: string; readonly continue: string; readonly scan: string };
  /** Days the profile is remembered (0: not at all). */
  readonly profileDays: number;
  readonly validMinutes: number;
  /** Cancels: carries access_denied to the relying party. */
  readonly cancelUrl: string;
  /** Where the page goes when the hand-off expired: the error, to the relying party. */
  readonly expiredUrl: string;
}

/** The desktop's waiting page. */
export async function renderWaitingPage(page: WaitingPage): Promise<string> {
  const { lang } = page;
  const fill = (text: Text, values: Record<string, string | number>) =>
    text[lang].replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
  const claims = page.missing.map((claim) => CLAIM_NAMES[claim][lang]).join(lang === 'zh' ? '和' : ' and ');
  const svg = await QRCode.toString(page.urls.scan, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const texts = JSON.stringify({ scanned: TEXT.scanned[lang], done: TEXT.done[lang] });
  const status = page.status === 'scanned' ? TEXT.scanned : page.status === 'done' ? TEXT.done : TEXT.pending;
  const body = `${languageSwitch(lang, page.urls.page)}<h1>${escapeHtml(TEXT.title[lang])}</h1>
<p>${escapeHtml(fill(TEXT.why, { claims }))}</p>
<ol class="steps"><li>${escapeHtml(TEXT.step1[lang])}</li><li>${escapeHtml(TEXT.step2[lang])}</li><li>${escapeHtml(TEXT.step3[lang])}</li></ol>
<div class="qr" role="img" aria-label="${escapeHtml(TEXT.qrLabel[lang])}">${svg}</div>
<p id="handoff" class="status" aria-live="polite" data-status-url="${escapeHtml(page.urls.status)}" data-continue-url="${escapeHtml(page.urls.continue)}" data-expired-url="${escapeHtml(page.expiredUrl)}" data-texts="${escapeHtml(texts)}"><span id="handoff-status">${escapeHtml(status[lang])}</span></p>
<p>${escapeHtml(fill(TEXT.validity, { minutes: page.validMinutes }))}${page.profileDays > 0 ? ` ${escapeHtml(fill(TEXT.once, { days: page.profileDays }))}` : ''}</p>
${actions([
  { href: page.urls.continue, label: TEXT.finished[lang] },
  { href: page.cancelUrl, label: TEXT.cancel[lang], secondary: true },
])}
<details><summary>${escapeHtml(TEXT.manual[lang])}</summary><p><code>${escapeHtml(page.urls.scan)}</code></p></details>
${footer(lang, page.requestId)}
<script>${POLL_SCRIPT}</script>`;
  return renderDocument({ lang: htmlLang(lang), title: TEXT.title[lang], body });
}

/** The phone's page once its consent completed the desktop's login. */
export function renderPhoneDonePage(lang: Lang, requestId: string): string {
  const body = `<h1>${escapeHtml(TEXT.phoneDoneTitle[lang])}</h1>
<p>${escapeHtml(TEXT.phoneDone[lang])}</p>
${footer(lang, requestId)}`;
  return renderDocument({ lang: htmlLang(lang), title: TEXT.phoneDoneTitle[lang], body });
}
