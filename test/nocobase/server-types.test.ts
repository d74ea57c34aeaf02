/**
 * The plugin's server against the typings of the NocoBase it is tested with: tsconfig.server.json
 * maps @nocobase/server, auth, database, actions, cache and plugin-auth to the installed
 * NocoBase, with no hand declarations of them, so a change in NocoBase's API that the server code
 * relies on fails here (CI makes the real-NocoBase tests mandatory). The NocoBase-free half
 * (tsconfig.json) runs in `npm run typecheck`. Also: the versions package.json records for builds
 * without NocoBase (`nocobase.builtAgainst`) are this NocoBase's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureNocoBase } from '../../demo/nocobase/install.js';
import { typecheckServer } from '../../nocobase-plugin/build/typecheck-server.js';
import { versionsFromApp } from '../../nocobase-plugin/build/versions.js';
import { realNocoBaseAvailable } from './site.js';

const available = realNocoBaseAvailable();
const SOURCES = join(import.meta.dirname, '../../nocobase-plugin/src');

describe("the plugin's declarations", () => {
  it("declare only the browser packages by hand, never NocoBase's server packages", () => {
    const files = readdirSync(SOURCES, { recursive: true, encoding: 'utf8' }).filter((file) => /\.tsx?$/.test(file));
    const declared = files.flatMap((file) =>
      [...readFileSync(join(SOURCES, file), 'utf8').matchAll(/declare module '([^']+)'/g)].map((match) => match[1]),
    );
    expect(
      declared.filter((name) => /^@nocobase\/(server|auth|database|actions|cache|plugin-auth)$/.test(name!)),
    ).toEqual([]);
    expect(declared).toContain('@nocobase/client-v2');
  });
});

describe.skipIf(!available)('the plugin against the NocoBase it is tested with', () => {
  it(
    'type-check against the real @nocobase/server, auth and database',
    () => {
      const { appDir } = ensureNocoBase((line) => console.log(`[nocobase] ${line}`));
      const result = typecheckServer(appDir);
      expect(result.output).toBe('');
      expect(result.ok).toBe(true);
    },
    30 * 60_000,
  );

  it(
    'record in package.json the versions a build against this NocoBase writes (the fallback without it)',
    () => {
      const { appDir } = ensureNocoBase();
      const manifest = JSON.parse(readFileSync(join(SOURCES, '../package.json'), 'utf8')) as {
        nocobase: { builtAgainst: Record<string, string> };
      };
      const { versions } = versionsFromApp(['@nocobase/server', 'antd', 'react'], appDir);
      expect(manifest.nocobase.builtAgainst).toEqual({
        '@nocobase': versions['@nocobase/server'],
        antd: versions.antd,
        react: versions.react,
      });
    },
    30 * 60_000,
  );
});
