/**
 * The HTML of the simulated login pages: WeCom-like error pages (Chinese + English, HTTP 200, no
 * redirect) and the member picker that stands in for scanning a QR code or tapping "allow".
 */
import type { PageProblem } from './authorize-request.js';
import type { SimMember } from './directory.js';

/** The picker lists this many members; larger directories (benchmarks) are reached by `sim_user`. */
const PICKER_LIMIT = 50;

/** A whole page: WeCom's error pages are plain, mobile-first documents like this one. */
export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title></head>
<body style="font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem">
<h1 style="font-size:1.3rem">企业微信（模拟器）· ${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

/** The error page WeCom shows instead of redirecting. */
export function errorPage(problem: PageProblem): string {
  return renderPage(
    '出错了 / Error',
    `<p class="sim-error" lang="zh">${escapeHtml(problem.zh)}</p>\n<p class="sim-error" lang="en">${escapeHtml(problem.en)}</p>`,
  );
}

/**
 * The member picker. Each member is a link to the same URL plus `sim_user`; when the page asks
 * for private info, a second link declines sharing it (`sim_consent=0`), as on WeCom's consent page.
 *
 * @param url the page's own URL (path and query)
 */
export function pickerPage(members: readonly SimMember[], url: string, asksPrivateInfo: boolean): string {
  const items = members.slice(0, PICKER_LIMIT).map((member) => pickerItem(member, url, asksPrivateInfo));
  const more =
    members.length > PICKER_LIMIT
      ? `<p>…${members.length - PICKER_LIMIT} more: add <code>sim_user=&lt;userid&gt;</code> to the URL.</p>`
      : '';
  const consent = asksPrivateInfo
    ? '<p>应用申请获取你的手机号、邮箱、头像和性别。<br>The app asks for your mobile, email, avatar and gender.</p>'
    : '';
  return renderPage(
    '选择成员 / Pick a member',
    `<p>模拟的企业微信登录：选择要登录的成员。<br>Simulated WeCom login: pick the member to sign in as.</p>
${consent}<ul>
${items.join('\n')}
</ul>
${more}<p><a id="sim-deny" href="${escapeHtml(withParam(url, 'sim_action', 'deny'))}">拒绝 / Deny</a></p>`,
  );
}

function pickerItem(member: SimMember, url: string, asksPrivateInfo: boolean): string {
  const login = withParam(url, 'sim_user', member.userid);
  const decline = asksPrivateInfo
    ? ` · <a href="${escapeHtml(withParam(login, 'sim_consent', '0'))}">不提供手机和邮箱 / share nothing</a>`
    : '';
  return `<li><a href="${escapeHtml(login)}">${escapeHtml(member.name)} <code>${escapeHtml(member.userid)}</code></a> ${memberNote(member)}${decline}</li>`;
}

/** Why a member's login will not go through cleanly, so a person trying the demo knows. */
function memberNote(member: SimMember): string {
  if (member.nonMember) return '(非成员 / not a member)';
  if (member.visible === false) return '(不在可见范围 / not visible)';
  const notes: Readonly<Record<number, string>> = {
    2: '(已禁用 / disabled)',
    4: '(未激活 / not activated)',
    5: '(已离职 / left)',
  };
  return notes[member.status] ?? '';
}

/** `url` with one more query parameter. */
export function withParam(url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

/** Text safe inside HTML elements and double- or single-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
