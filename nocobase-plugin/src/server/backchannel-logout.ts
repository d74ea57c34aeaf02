/**
 * `POST /api/wecomBridge:backchannelLogout` (public): OpenID Connect Back-Channel Logout 1.0. The
 * provider posts a `logout_token` (form body); a valid one ends every NocoBase session of the user
 * bound to its `sub` by the authenticators it is for (logout-token.ts verifies, sessions.ts ends).
 * 200 on success, also when no user is bound (the answer never tells whether one exists); 400
 * `{"error":"invalid_request"}` for any invalid token; 503 when the provider's keys cannot be
 * fetched (the provider retries). Never cached.
 */
import { AUTH_TYPE } from '../constants.js';
import { LogoutProviderError, LogoutTokenError, verifyLogoutToken } from './logout-token.js';
import type { Model, NocoContext } from './nocobase-types.js';
import { readOptions } from './options.js';
import { runtimeOf } from './runtime.js';
import { endSessionsOfSubject } from './sessions.js';

/** The route's action. */
export async function backchannelLogoutAction(ctx: NocoContext, next: () => Promise<void>): Promise<void> {
  ctx.withoutDataWrapping = true;
  ctx.set('cache-control', 'no-store');
  if (ctx.method !== 'POST') {
    answer(ctx, 405, { error: 'invalid_request', error_description: 'use POST with a logout_token form field' });
    return next();
  }
  const body = ctx.request?.body as { logout_token?: unknown } | undefined;
  try {
    const runtime = runtimeOf(ctx.app);
    const verified = await verifyLogoutToken(body?.logout_token, await enabledAuthenticators(ctx), {
      providers: runtime.providers,
      cache: runtime.cache,
    });
    const names = verified.audiences.map((audience) => audience.name);
    const users = await endSessionsOfSubject(ctx.app, names, verified.sub);
    ctx.logger.info('wecom-bridge: back-channel logout', { authenticators: names, usersSignedOut: users });
    ctx.status = 200;
    ctx.body = '';
  } catch (error) {
    if (error instanceof LogoutTokenError) {
      ctx.logger.warn('wecom-bridge: back-channel logout refused', { reason: error.message });
      answer(ctx, 400, { error: 'invalid_request' });
    } else if (error instanceof LogoutProviderError) {
      ctx.logger.warn('wecom-bridge: back-channel logout could not reach the provider', { reason: error.message });
      answer(ctx, 503, { error: 'temporarily_unavailable' });
    } else throw error;
  }
  await next();
}

/** The enabled authenticators of this type with an issuer and a client id. */
async function enabledAuthenticators(
  ctx: NocoContext,
): Promise<Array<{ name: string; issuer: string; clientId: string }>> {
  const rows: Model[] = await ctx.db
    .getRepository('authenticators')
    .find({ filter: { authType: AUTH_TYPE, enabled: true } });
  return rows
    .map((row) => {
      const { issuer, clientId } = readOptions(row.get('options') as Record<string, unknown>);
      return { name: String(row.get('name')), issuer, clientId };
    })
    .filter((row) => row.issuer !== '' && row.clientId !== '');
}

function answer(ctx: NocoContext, status: number, body: Record<string, string>): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
}
