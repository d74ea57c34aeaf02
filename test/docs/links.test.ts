/**
 * The documentation hangs together: every relative link of README.md and docs/ points at a file
 * that exists (and a heading that exists), every WeCom errcode the bridge knows is explained in
 * the troubleshooting guide, and every page reason and setup step it names is there.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REASON_MESSAGES } from '../../src/pages/messages.js';
import { knownErrcodes } from '../../src/wecom/errcodes.js';
import { anchors, ROOT, readDoc, relativeLinks } from './markdown.js';

const DOCS = [
  'README.md',
  ...readdirSync(`${ROOT}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('links', () => {
  it.each(DOCS)('%s links only to files and headings that exist', (doc) => {
    const broken: string[] = [];
    for (const link of relativeLinks(readDoc(doc))) {
      const [file, anchor] = link.split('#') as [string, string | undefined];
      const target = file === '' ? doc : normalize(join(dirname(doc), file));
      if (!existsSync(`${ROOT}${target}`)) broken.push(`${link} (no file ${target})`);
      else if (
        anchor !== undefined &&
        target.endsWith('.md') &&
        !anchors(readDoc(target)).includes(decodeURIComponent(anchor))
      ) {
        broken.push(`${link} (no heading #${anchor} in ${target})`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('troubleshooting guide', () => {
  const guide = readDoc('docs/troubleshooting.md');

  it('explains every WeCom errcode of src/wecom/errcodes.ts', () => {
    const rows = new Set([...guide.matchAll(/^\| (-?\d+) \|/gm)].map((m) => Number(m[1])));
    expect(knownErrcodes().filter((code) => !rows.has(code))).toEqual([]);
  });

  it('explains every page reason that has its own message, and the NocoBase symptoms', () => {
    const pageReasons = [
      'unknown_client',
      'redirect_uri_mismatch',
      'browser_mismatch',
      'login_not_found',
      'malformed_state',
      'store_unavailable',
    ];
    expect(Object.keys(REASON_MESSAGES)).toEqual(expect.arrayContaining(pageReasons));
    for (const reason of pageReasons) expect(guide).toContain(`\`${reason}\``);
    for (const symptom of ['User not found', 'state mismatch', 'nonce mismatch']) expect(guide).toContain(symptom);
  });
});
