/**
 * The `wecom-bridge` auth type: NocoBase's BaseAuth (its tokens, cookies, token policy and
 * sign-out), with the user decided by a verified OpenID Connect sign-in instead of a password,
 * and a sign-out that also ends the provider's session (RP-initiated logout).
 */
import { BaseAuth } from '@nocobase/auth';
import { setSignedOutCookie } from './cookies.js';
import type { NocoContext, UserModel } from './nocobase-types.js';
import { readOptions, type BridgeOptions } from './options.js';
import { idTokenKey, runtimeOf } from './runtime.js';
import { siteOrigin, signInPath } from './site.js';

/** An authenticator of type `wecom-bridge`, created by NocoBase's auth manager per request. */
export class WeComBridgeAuth extends BaseAuth {
  /** The user a verified sign-in resolved to; `validate()` hands it to BaseAuth's `signIn()`. */
  private resolvedUser?: UserModel;

  constructor(config: { ctx: NocoContext; [key: string]: unknown }) {
    super({ ...config, userCollection: config.ctx.db.getCollection('users') });
  }

  /** This authenticator's options with defaults. */
  get settings(): BridgeOptions {
    return readOptions(this.options);
  }

  /** The authenticator's row (plugin-auth's AuthModel). */
  get row(): any {
    return this.authenticator;
  }

  /**
   * Signs `user` in the NocoBase way (token, auth cookies) and keeps `idToken` for sign-out.
   * Returns NocoBase's token for the `?authenticator=&token=` hand-off.
   */
  async signInAs(user: UserModel, idToken: string): Promise<string> {
    this.resolvedUser = user;
    const { token } = await this.signIn();
    const payload = (await this.jwt.decode(token)) as { userId?: unknown; signInTime?: unknown };
    const policy = (await this.tokenController.getConfig()) as { sessionExpirationTime?: number };
    await runtimeOf(this.ctx.app).cache.set(idTokenKey(payload.userId, payload.signInTime), idToken, policy.sessionExpirationTime ?? 86_400_000);
    return token;
  }

  override async validate(): Promise<any> {
    return this.resolvedUser ?? null;
  }

  /**
   * NocoBase's sign-out, then the provider's: the answer's `redirect` (which NocoBase's client
   * follows) is the end_session_endpoint with the session's ID token as hint and the sign-in
   * page as post_logout_redirect_uri. Without an end_session_endpoint it is NocoBase's alone.
   */
  override async signOut(): Promise<any> {
    const ctx = this.ctx as unknown as NocoContext;
    const idToken = await this.takeIdToken(ctx);
    const result = await super.signOut();
    const redirect = await this.endSessionUrl(ctx, idToken);
    if (redirect) {
      setSignedOutCookie(ctx);
      ctx.body = { redirect };
    }
    return result;
  }

  private async takeIdToken(ctx: NocoContext): Promise<string | undefined> {
    const token = ctx.getBearerToken();
    if (!token) return undefined;
    try {
      const payload = (await this.jwt.decode(token)) as { userId?: unknown; signInTime?: unknown };
      const key = idTokenKey(payload.userId, payload.signInTime);
      const cache = runtimeOf(ctx.app).cache;
      const idToken = await cache.get(key);
      await cache.del(key);
      return typeof idToken === 'string' ? idToken : undefined;
    } catch {
      // An expired or invalid NocoBase token: sign out at the provider without a hint.
      return undefined;
    }
  }

  private async endSessionUrl(ctx: NocoContext, idToken: string | undefined): Promise<string | undefined> {
    const settings = this.settings;
    try {
      const provider = await runtimeOf(ctx.app).providers.get(settings.issuer);
      const endpoint = provider.metadata.end_session_endpoint;
      if (!endpoint) return undefined;
      const url = new URL(endpoint);
      url.searchParams.set('client_id', settings.clientId);
      url.searchParams.set('post_logout_redirect_uri', `${siteOrigin(ctx)}${signInPath()}`);
      if (idToken) url.searchParams.set('id_token_hint', idToken);
      return url.href;
    } catch (error) {
      ctx.logger.warn('wecom-bridge: the provider\'s sign-out could not be reached; signed out of NocoBase only', { error: (error as Error).message });
      return undefined;
    }
  }
}
