/**
 * The page after sign-in is always a page of this NocoBase: the review's link
 * (`redirect=/..//evil.example` ending in `Location: //evil.example?…&token=…`) and its relatives
 * (percent-encoded dots and slashes, backslashes, tabs and control characters, mixed case, several
 * dot segments, APP_PUBLIC_PATH prefixes), then a property over generated paths: whatever
 * `redirect` says, a browser resolving the final Location stays on this origin, under the public path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLocalLocation, safeRedirectPath } from '../redirect-path.js';

const ORIGIN = 'https://nocobase.example';

/** The Location the plugin sends for `redirect` under `publicPath` (routes.ts `landing`, without the hand-off value). */
function location(redirect: string, publicPath: string): string | undefined {
  const path = safeRedirectPath(redirect, '/admin');
  const url = new URL(`${publicPath.replace(/\/$/, '')}${path}`, 'http://nocobase.invalid');
  url.searchParams.set('wecomBridgeHandOff', 'x');
  const sent = `${url.pathname}${url.search}${url.hash}`;
  return isLocalLocation(sent, publicPath) ? sent : undefined;
}

/** Where a browser goes for `sent` as a Location header on `ORIGIN`. */
function followed(sent: string): URL {
  return new URL(sent, `${ORIGIN}/some/page`);
}

const ATTACKS = [
  '/..//evil.example',
  '/../..//evil.example/x',
  '/%2e%2e//evil.example',
  '/%2E%2E/%2Fevil.example',
  '/.%2e//evil.example',
  '/x/../..//evil.example',
  '/admin/%2f%2fevil.example',
  '/%2f/evil.example',
  '/%5cevil.example',
  '/\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/./evil.example',
  '//evil.example',
  '///evil.example',
  'https://evil.example/',
  'HTTPS://evil.example',
  'javascript:alert(1)',
  '/admin\r\nSet-Cookie: x=1',
  `/${'a'.repeat(2048)}`,
  '',
  'admin',
];

describe('the page after sign-in', () => {
  it('keeps ordinary NocoBase pages as they are', () => {
    for (const good of [
      '/admin',
      '/admin/settings?tab=1',
      '/m/page#x',
      '/v/admin/',
      '/admin/x?redirect=//evil.example',
      '/',
    ]) {
      expect(safeRedirectPath(good, '/admin')).toBe(good);
    }
    expect(safeRedirectPath('/页面', '/admin')).toBe('/%E9%A1%B5%E9%9D%A2');
  });

  it('sends every attack of the review to the configured page instead', () => {
    for (const bad of ATTACKS) expect(safeRedirectPath(bad, '/admin'), JSON.stringify(bad)).toBe('/admin');
  });

  it('stays under APP_PUBLIC_PATH, whose prefix cannot be climbed out of', () => {
    for (const publicPath of ['/', '/nocobase/', '/a/b/']) {
      for (const redirect of [...ATTACKS, '/admin', '/../admin', '/..']) {
        const sent = location(redirect, publicPath);
        expect(sent, `${publicPath} ${JSON.stringify(redirect)}`).toBeDefined();
        const url = followed(sent!);
        expect(url.origin).toBe(ORIGIN);
        expect(`${url.pathname}/`.startsWith(publicPath)).toBe(true);
      }
    }
    expect(isLocalLocation('/nocobase/../evil', '/nocobase/')).toBe(false);
    expect(isLocalLocation('/nocobasex/admin', '/nocobase/')).toBe(false);
    expect(isLocalLocation('//evil.example/nocobase/', '/nocobase/')).toBe(false);
    expect(isLocalLocation('/nocobase/admin?token=x', '/nocobase/')).toBe(true);
  });

  it('never leaves this NocoBase, whatever path is generated (property)', () => {
    const piece = fc.constantFrom(
      '/',
      '//',
      '.',
      '..',
      '%2e',
      '%2E',
      '%2f',
      '%2F',
      '%5c',
      '\\',
      '\t',
      '\n',
      '\r',
      '\u0000',
      ' ',
      ':',
      '@',
      '?',
      '#',
      '&',
      '=',
      'evil.example',
      'admin',
      'http:',
      'HTTPS:',
      '%',
      '%25',
      '%252e',
      '\u3000',
      '页',
    );
    const path = fc.oneof(
      fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')),
      fc.string({ maxLength: 40 }),
      fc.webPath(),
      fc.webUrl(),
    );
    const publicPath = fc.constantFrom('/', '/nocobase/', '/a/b/');
    fc.assert(
      fc.property(path, publicPath, (redirect, prefix) => {
        const chosen = safeRedirectPath(redirect, '/admin');
        // The chosen path is itself a plain local path...
        expect(isLocalLocation(chosen, '/')).toBe(true);
        // ...and the Location built from it resolves on this origin, under the public path.
        const sent = location(redirect, prefix);
        expect(sent).toBeDefined();
        const url = followed(sent!);
        expect(url.origin).toBe(ORIGIN);
        expect(`${url.pathname}/`.startsWith(prefix)).toBe(true);
        expect(url.pathname).not.toMatch(/\/\.\.?(\/|$)|\/\//);
      }),
      { numRuns: 5000 },
    );
  });
});
