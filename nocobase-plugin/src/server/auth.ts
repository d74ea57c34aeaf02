/**
 * The `wecom-bridge` auth type: NocoBase's BaseAuth (its tokens, cookies, token policy and
 * sign-out), with the user decided in `validate()` by a verified OpenID Connect answer instead of
 * a password (as NocoBase's OIDC and CAS authenticators do), and a sign-out that also ends the
 * provider's session (RP-initiated logout).
 */
import { type AuthConfig, BaseAuth } from '@nocobase/auth';
import { setSignedOutCookie } from './cookies.js';
import { redeemCode } from './exchange.js';
import type { AuthModel, Model, NocoContext } from './nocobase-types.js';
import { type BridgeOptions, readOptions } from './options.js';
import { idTokenKey, runtimeOf } from './runtime.js';
import { fromModernLane, modernSignInPath, parkEndSession } from './sign-out.js';
import { signInPath, siteOrigin } from './site.js';
import type { LoginTransaction } from './transactions.js';
import { resolveUser } from './users.js';

/** The provider's answer to one sign-in, checked by the redirect route (state, issuer). */
export interface ProviderAnswer {
  readonly code: string;
  readonly transaction: LoginTransaction;
  readonly redirectUri: string;
}

/** An authenticator of type `wecom-bridge`, created by NocoBase's auth manager per request. */
export class WeComBridgeAuth extends BaseAuth {
  private answer?: ProviderAnswer;
  private idToken?: string;
  /** Why `validate()` failed: BaseAuth turns any failure into a bare 401, the page needs the reason. */
  private failure?: unknown;

  constructor(config: AuthConfig) {
    super({ ...config, userCollection: config.ctx.db.getCollection('users') });
  }

  /** This authenticator's options with defaults. */
  get settings(): BridgeOptions {
    return readOptions(this.options);
  }

  /**
   * The authenticator's row: plugin-auth's AuthModel, which @nocobase/auth types only as its
   * `Authenticator` interface (`authType`, `options`, anything else `any`).
   */
  get row(): AuthModel {
    return this.authenticator as AuthModel;
  }

  /**
   * Signs in the NocoBase way (`signIn()`: `validate()`, token, auth cookies) with the provider's
   * `answer`, and keeps the ID token for sign-out. Throws the sign-in's own failure.
   */
  async signInWithAnswer(answer: ProviderAnswer): Promise<{ user: Model; token: string }> {
    this.answer = answer;
    let result: { user: Model; token: string };
    try {
      result = await this.signIn();
    } catch (error) {
      throw this.failure ?? error;
    }
    await this.keepIdToken(result.token);
    return result;
  }

  /** Exchanges the code, verifies the ID token and userinfo, and finds or creates the user. */
  override async validate(): Promise<Model> {
    // Called without an answer (NocoBase's generic auth:signIn): no user, which signIn() answers
    // with its 401 "User not found" (NocoBase's typing leaves the null out).
    if (!this.answer) return null as unknown as Model;
    try {
      const { code, transaction, redirectUri } = this.answer;
      const settings = this.settings;
      const provider = await runtimeOf(this.ctx.app).providers.get(settings.issuer);
      const verified = await redeemCode(provider, settings, {
        code,
        codeVerifier: transaction.codeVerifier,
        redirectUri,
        nonce: transaction.nonce,
      });
      this.idToken = verified.idToken;
      const directory = {
        db: this.ctx.db,
        authenticator: this.row,
        validUsername: (name: string) => this.validateUsername(name),
      };
      return await resolveUser(directory, verified.claims, settings);
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  private async keepIdToken(token: string): Promise<void> {
    if (!this.idToken) return;
    const payload = (await this.jwt.decode(token)) as { userId?: unknown; signInTime?: unknown };
    const policy = (await this.tokenController.getConfig()) as { sessionExpirationTime?: number };
    await runtimeOf(this.ctx.app).cache.set(
      idTokenKey(payload.userId, payload.signInTime),
      this.idToken,
      policy.sessionExpirationTime ?? 86_400_000,
    );
  }

  /**
   * NocoBase's sign-out, then the provider's: the answer's `redirect` (which NocoBase's client
   * follows) leads to the end_session_endpoint with the session's ID token as hint and the lane's
   * sign-in page as post_logout_redirect_uri (the modern lane by way of its sign-in page:
   * sign-out.ts). Without an end_session_endpoint it is NocoBase's alone.
   */
  // biome-ignore lint/suspicious/noExplicitAny: BaseAuth.signOut's own return type.
  override async signOut(): Promise<any> {
    const ctx = this.ctx as NocoContext;
    const idToken = await this.takeIdToken(ctx);
    const result = await super.signOut();
    const modern = fromModernLane(ctx);
    const endSession = await this.endSessionUrl(ctx, idToken, modern ? modernSignInPath() : signInPath());
    if (endSession) {
      setSignedOutCookie(ctx);
      ctx.body = { redirect: modern ? parkEndSession(ctx, endSession) : endSession };
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

  private async endSessionUrl(
    ctx: NocoContext,
    idToken: string | undefined,
    signInPage: string,
  ): Promise<string | undefined> {
    const settings = this.settings;
    try {
      const provider = await runtimeOf(ctx.app).providers.get(settings.issuer);
      const endpoint = provider.metadata.end_session_endpoint;
      if (!endpoint) return undefined;
      const url = new URL(endpoint);
      url.searchParams.set('client_id', settings.clientId);
      url.searchParams.set('post_logout_redirect_uri', `${siteOrigin(ctx)}${signInPage}`);
      if (idToken) url.searchParams.set('id_token_hint', idToken);
      return url.href;
    } catch (error) {
      ctx.logger.warn("wecom-bridge: the provider's sign-out could not be reached; signed out of NocoBase only", {
        error: (error as Error).message,
      });
      return undefined;
    }
  }
}
