/**
 * `GET /api/wecomBridge:about` for the settings help: this plugin's version and, for each issuer
 * of a saved authenticator of this type, what the provider says of itself (the bridge's version,
 * and whether it vouches for phone numbers, which binding by phone needs). Administrators only
 * (the `pm.wecomBridge` snippet); it reads only saved issuers, never a URL from the request.
 */
import { AUTH_TYPE, PLUGIN_VERSION } from '../constants.js';
import { isSignInError } from './errors.js';
import type { Model, NocoContext } from './nocobase-types.js';
import { readOptions } from './options.js';
import { runtimeOf } from './runtime.js';

/** One provider as the settings help shows it. */
export interface ProviderAbout {
  readonly issuer: string;
  readonly bridgeVersion?: string;
  readonly phoneVerified: boolean;
  readonly error?: string;
}

/** What the settings help shows. */
export interface About {
  readonly plugin: string;
  readonly providers: readonly ProviderAbout[];
}

/** The action. */
export async function aboutAction(ctx: NocoContext, next: () => Promise<void>): Promise<void> {
  ctx.set('cache-control', 'no-store');
  const rows: Model[] = await ctx.db.getRepository('authenticators').find({ filter: { authType: AUTH_TYPE } });
  const issuers = [
    ...new Set(rows.map((row) => readOptions(row.get('options') as Record<string, unknown>).issuer).filter(Boolean)),
  ];
  const about: About = {
    plugin: PLUGIN_VERSION,
    providers: await Promise.all(issuers.map((issuer) => describe(ctx, issuer))),
  };
  ctx.body = about;
  await next();
}

async function describe(ctx: NocoContext, issuer: string): Promise<ProviderAbout> {
  try {
    const raw = (await runtimeOf(ctx.app).providers.get(issuer)).metadata as unknown as Record<string, unknown>;
    const claims = Array.isArray(raw.claims_supported) ? raw.claims_supported : [];
    const bridgeVersion = typeof raw.wecom_oidc_bridge_version === 'string' ? raw.wecom_oidc_bridge_version : undefined;
    return {
      issuer,
      ...(bridgeVersion ? { bridgeVersion } : {}),
      phoneVerified: claims.includes('phone_number_verified'),
    };
  } catch (error) {
    return {
      issuer,
      phoneVerified: false,
      error: isSignInError(error) ? error.detail : 'the provider could not be reached',
    };
  }
}
