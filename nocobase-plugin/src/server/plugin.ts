/**
 * The server half of the plugin: registers the `wecom-bridge` auth type with NocoBase's auth
 * manager, the public routes (sign-in, sign-out, back-channel logout), and the checks run when
 * an administrator saves an authenticator of this type.
 */
import { Plugin } from '@nocobase/server';
import { AUTH_TYPE, NAMESPACE, RESOURCE } from '../constants.js';
import { aboutAction } from './about.js';
import { WeComBridgeAuth } from './auth.js';
import { backchannelLogoutAction } from './backchannel-logout.js';
import type { Database, Model, Transaction } from './nocobase-types.js';
import { optionProblems, readOptions } from './options.js';
import { ProviderCache } from './provider.js';
import { handOffAction, redirectAction, signInAction } from './routes.js';
import { runtimeOf, setRuntime } from './runtime.js';
import { deriveKey, type SealKey } from './seal.js';
import { endSessionAction } from './sign-out.js';

/** The plugin as NocoBase's plugin manager loads it (the package's default export). */
export class PluginWeComBridgeServer extends Plugin {
  override async load(): Promise<void> {
    const cache = await this.app.cacheManager.createCache({ name: 'wecom-bridge', prefix: 'wecom-bridge' });
    let cookieKey: SealKey | undefined;
    // Derived on first use: NocoBase's JWT secret (APP_KEY, or the key file it keeps) is read lazily.
    const key = () => (cookieKey ??= deriveKey(this.app.authManager.jwt.getSecret(), 'sealed cookies v1'));
    setRuntime(this.app, { providers: new ProviderCache(), cache, cookieKey: key });
    this.app.authManager.registerTypes(AUTH_TYPE, {
      auth: WeComBridgeAuth,
      // Compiled by the settings page with NocoBase's i18n: "WeCom", or "企业微信" (the client adds it).
      title: `{{t("WeCom", { ns: "${NAMESPACE}" })}}`,
      // What the sign-in page may know of an authenticator: never the issuer's secret.
      getPublicOptions: (options: Record<string, unknown>) => ({
        autoLoginInWeCom: readOptions(options).autoLoginInWeCom,
      }),
    });
    this.app.resourceManager.define({
      name: RESOURCE,
      actions: {
        signIn: signInAction,
        redirect: redirectAction,
        handOff: handOffAction,
        endSession: endSessionAction,
        backchannelLogout: backchannelLogoutAction,
        about: aboutAction,
      },
    });
    this.app.acl.allow(RESOURCE, ['signIn', 'redirect', 'handOff', 'endSession', 'backchannelLogout'], 'public');
    // The settings help's versions: for those who may configure authentication (root, admin).
    this.app.acl.registerSnippet({ name: `pm.${RESOURCE}`, actions: [`${RESOURCE}:about`] });
    this.checkSavedAuthenticators(this.app.db);
  }

  /** An enabled authenticator of this type is saved only when usable, and only one auto-logs in. */
  private checkSavedAuthenticators(db: Database): void {
    db.on('authenticators.beforeSave', async (row: Model, options: { transaction?: Transaction }) => {
      if (row.get('authType') !== AUTH_TYPE || row.get('enabled') === false) return;
      const raw = row.get('options') as Record<string, unknown> | undefined;
      const problems = optionProblems(raw);
      if (readOptions(raw).autoLoginInWeCom) {
        const others: Model[] = await db.getRepository('authenticators').find({
          filter: { authType: AUTH_TYPE, enabled: true, name: { $ne: row.get('name') } },
          transaction: options?.transaction,
        });
        const rival = others.find(
          (other) => readOptions(other.get('options') as Record<string, unknown>).autoLoginInWeCom,
        );
        if (rival)
          problems.push(
            `Only one authenticator may log in automatically inside WeCom, and "${String(rival.get('name'))}" already does: turn it off there first.`,
          );
      }
      if (problems.length) throw new AuthenticatorOptionsError(problems.join(' '));
    });
    db.on('authenticators.afterSave', (row: Model) => {
      const issuer = readOptions(row.get('options') as Record<string, unknown>).issuer;
      if (issuer) runtimeOf(this.app).providers.forget(issuer);
    });
  }
}

/** A refused save: NocoBase answers 400 with this message in the admin's form. */
class AuthenticatorOptionsError extends Error {
  readonly status = 400;
}

export default PluginWeComBridgeServer;
