/** Environment fixtures for tests. */
import type { Env } from '../../src/config/load.js';

/** A client secret with every character Basic authentication must survive. */
export const TRICKY_SECRET = 'se+cr/et=with:special%chars 0123456789';

/** A complete, valid environment; override per test. */
export function validEnv(overrides: Env = {}): Record<string, string | undefined> {
  return {
    PUBLIC_URL: 'https://sso.example.com',
    WECOM_CORP_ID: 'ww5imulat0rc0rp1d',
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'sim-secret-0123456789',
    OIDC_CLIENT_ID: 'nocobase',
    OIDC_CLIENT_SECRET: TRICKY_SECRET,
    OIDC_REDIRECT_URIS: 'https://nocobase.example.com/api/oidc:redirect',
    ...overrides,
  };
}
