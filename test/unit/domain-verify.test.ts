import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDomainVerifyFiles } from '../../src/config/domain-verify.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { validEnv } from '../helpers/env.js';

describe('WECOM_DOMAIN_VERIFY_FILE', () => {
  it('is empty by default', () => {
    expect(loadConfig(validEnv()).domainVerifyFiles).toEqual([]);
  });

  it('takes name:content inline, and a path to the downloaded file (trailing newline dropped)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ww-verify-'));
    const path = join(dir, 'WW_verify_FromFile42.txt');
    writeFileSync(path, 'FromFile42\n');
    const config = loadConfig(validEnv({ WECOM_DOMAIN_VERIFY_FILE: ` WW_verify_AbC123.txt:AbC123 , ${path}` }));
    expect(config.domainVerifyFiles).toEqual([
      { name: 'WW_verify_AbC123.txt', content: 'AbC123' },
      { name: 'WW_verify_FromFile42.txt', content: 'FromFile42' },
    ]);
  });

  it.each([
    ['verify.txt:abc', /cannot read "verify.txt:abc"/],
    ['WW_verify_a-b.txt:abc', /file name must be WW_verify_<letters and digits>\.txt/],
    ['WW_verify_abc.txt:', /content must be the short token/],
    ['WW_verify_abc.txt:two words', /content must be the short token/],
    ['/nonexistent/WW_verify_abc.txt', /cannot read "\/nonexistent\/WW_verify_abc.txt" \(ENOENT\)/],
    ['WW_verify_abc.txt:x,WW_verify_abc.txt:y', /WW_verify_abc.txt is listed twice/],
  ])('refuses %s with a message naming the fix', (value, message) => {
    const { files, problems } = parseDomainVerifyFiles(value);
    expect(problems).toEqual([expect.stringMatching(message)]);
    expect(files.length).toBeLessThanOrEqual(1);
  });

  it('reports its problems with every other configuration problem', () => {
    try {
      loadConfig(validEnv({ WECOM_DOMAIN_VERIFY_FILE: 'WW_verify_abc.txt:', PORT: 'x' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
        'PORT',
        'WECOM_DOMAIN_VERIFY_FILE',
      ]);
    }
  });
});
