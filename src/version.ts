/** The bridge's version, read from package.json once. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'wecom-oidc-bridge' && pkg.version) return pkg.version;
    } catch {
      // Try the next location: src/ under tsx, dist/src/ when compiled.
    }
  }
  return '0.0.0';
}

/** Semantic version of this build. */
export const VERSION = readVersion();
