/**
 * The modern client (`/v/signin`, `/v/…`): completes a sign-in's hand-off before the app renders,
 * continues a sign-out to the provider, and registers the `wecom-bridge` auth type's sign-in
 * button and settings form with NocoBase's authentication plugin (client-v2 takes loaders).
 */
import { Plugin } from '@nocobase/client-v2';
import PluginAuthClientV2 from '@nocobase/plugin-auth/client-v2';
import { completeHandOff } from '../common/handoff.js';
import { continueSignOut } from '../common/links.js';
import { AUTH_TYPE, NAMESPACE } from '../constants.js';
import en from '../locale/en-US.json' with { type: 'json' };
import zh from '../locale/zh-CN.json' with { type: 'json' };
import { adminSettingsForm } from './AdminSettingsForm.js';
import { type ButtonContext, signInButton } from './SignInButton.js';

/** Loaded by NocoBase's modern client from `dist/client-v2/index.js`. */
export class PluginWeComBridgeClientV2 extends Plugin {
  override async load(): Promise<void> {
    const api = this.app.apiClient;
    // A sign-out that must still end the provider's session leaves the page right away.
    if (continueSignOut(String(api.axios?.defaults?.baseURL ?? '/api/'))) return;
    await completeHandOff(api);
    this.app.i18n.addResources('en-US', NAMESPACE, en);
    this.app.i18n.addResources('zh-CN', NAMESPACE, zh);
    const context: ButtonContext = {
      apiBase: () => String(api.axios?.defaults?.baseURL ?? '/api/'),
      language: () => this.app.i18n?.language,
      request: (options) => api.request(options),
    };
    const SignInButton = signInButton(context);
    const AdminSettingsForm = adminSettingsForm(context);
    this.app.pm.get(PluginAuthClientV2).registerType(AUTH_TYPE, {
      signInButtonLoader: async () => ({ default: SignInButton }),
      adminSettingsFormLoader: async () => ({ default: AdminSettingsForm }),
    });
  }
}

export default PluginWeComBridgeClientV2;
