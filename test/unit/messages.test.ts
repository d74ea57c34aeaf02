/**
 * Every reason the code can produce has a page text in both languages, and every WeCom failure an
 * administrator must fix has a hint, in both languages, that names the fix.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/errors/bridge-error.js';
import { adminHint, HINTED_REASONS } from '../../src/pages/admin-hints.js';
import { REASON_MESSAGES } from '../../src/pages/messages.js';
import { errcodeRows } from '../../src/wecom/errcodes.js';
import { WeComApiError } from '../../src/wecom/errors.js';

/** Reasons answered only as JSON to relying-party software (token and userinfo endpoints). */
// Files whose reasons never reach a page: JSON or status answers, and the offboarding queue's jobs.
const API_ONLY_FILES = new Set([
  'token.ts',
  'code-grant.ts',
  'client-auth.ts',
  'userinfo.ts',
  'access-tokens.ts',
  'wecom-events.ts',
  'offboarding.ts',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Reason literals in the source: `reason: 'x'`, `someError('description', 'x'…)`, `['x', '…']` tuples. */
function reasonsInSource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles('src')) {
    if (API_ONLY_FILES.has(file.split('/').pop()!)) continue;
    const text = readFileSync(file, 'utf8');
    const patterns = [
      /\breason: '([a-z][a-z0-9_]+)'/g,
      /\b(?:accessDenied|invalidRequest|loginRequired|serverError|temporarilyUnavailable|pageError|invalidScope|requestNotSupported|requestUriNotSupported|unsupportedResponseType)\(\s*(?:'[^']*'|`[^`]*`)\s*,\s*'([a-z][a-z0-9_]+)'/g,
      /\bpageError\(\s*\d+\s*,\s*'([a-z][a-z0-9_]+)'/g,
      /\[\s*'(wecom_[a-z0-9_]+)'\s*,/g,
    ];
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.set(match[1]!, file);
  }
  return found;
}

describe('page texts', () => {
  const reasons = reasonsInSource();

  it('finds the reasons (sanity check of the scan)', () => {
    for (const reason of [
      'policy_denied',
      'wecom_user_disabled',
      'handoff_user_mismatch',
      'browser_mismatch',
      'unknown_client',
    ]) {
      expect(reasons.has(reason), reason).toBe(true);
    }
  });

  it('exist for every reason a page can show, in both languages', () => {
    const all = new Set([...reasons.keys(), ...errcodeRows().map(([, info]) => info.reason)]);
    const missing = [...all].filter((reason) => !REASON_MESSAGES[reason]);
    expect(missing).toEqual([]);
    for (const [reason, message] of Object.entries(REASON_MESSAGES)) {
      for (const text of [message.title, message.message]) {
        expect(text.en.trim(), reason).not.toBe('');
        expect(text.zh.trim(), reason).not.toBe('');
        expect(text.zh, reason).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });
});

describe('administrator hints', () => {
  it('exist in both languages for every WeCom failure the administrator must fix', () => {
    const config = errcodeRows().filter(([, info]) => info.action === 'config' || info.hint !== undefined);
    for (const [errcode, info] of config) {
      const error = new WeComApiError('gettoken', errcode, `x, from ip: 203.0.113.7, more info`);
      expect(HINTED_REASONS, `${errcode} ${info.reason}`).toContain(info.reason);
      expect(adminHint(error, 'zh')).toMatch(/[\u4e00-\u9fff]/);
      expect(adminHint(error, 'en')).toMatch(/[a-z]/);
    }
  });

  it('name the fix with what the running bridge knows', () => {
    const facts = { publicHost: 'sso.example.com:8443', corpId: 'wwcorp' };
    const hint = (errcode: number, api = 'getuserinfo', lang: 'zh' | 'en' = 'en') =>
      adminHint(
        new WeComApiError(api as 'getuserinfo', errcode, `bad, hint: [x], from ip: 203.0.113.7, more info at …`),
        lang,
        facts,
      );
    expect(hint(60020)).toContain('203.0.113.7');
    expect(hint(60020, 'getuserinfo', 'zh')).toContain('企业可信IP 中添加 203.0.113.7');
    expect(hint(50001)).toContain('Set sso.example.com:8443 as');
    expect(hint(40013, 'gettoken')).toContain('wwcorp');
    expect(hint(40001, 'gettoken')).toContain('WECOM_SECRET');
    expect(hint(60011)).toContain('可见范围');
    expect(hint(99999)).toContain('errcode 99999');
    const plain = new BridgeError({
      code: 'server_error',
      status: 500,
      reason: 'something_new',
      description: 'x',
      hint: 'Do this',
    });
    expect(adminHint(plain, 'zh')).toBe('Do this');
  });
});
