/**
 * The client half of the plugin: registers the `wecom-bridge` auth type's sign-in button and
 * settings form with NocoBase's authentication plugin.
 */
import { Plugin } from '@nocobase/client';
import PluginAuthClient from '@nocobase/plugin-auth/client';
import { AdminSettingsForm } from './AdminSettingsForm.js';
import { completeHandOff } from './handoff.js';
import { SignInButton } from './SignInButton.js';

/** The server's i18n namespace for the auth type's title (server/runtime.ts). */
const TITLE_NAMESPACE = '@wecom-oidc-bridge/plugin-auth-wecom-bridge';

/** Loaded by NocoBase's browser loader from `dist/client/index.js`. */
export class PluginWeComBridgeClient extends Plugin {
  override async load(): Promise<void> {
    // Before anything renders: a page landing from a sign-in gets its token first.
    await completeHandOff(this.app.apiClient);
    // The auth type's title as the settings page shows it (the server names it with this namespace).
    this.app.i18n.addResources('en-US', TITLE_NAMESPACE, { WeCom: 'WeCom' });
    this.app.i18n.addResources('zh-CN', TITLE_NAMESPACE, { WeCom: '企业微信' });
    this.app.pm.get(PluginAuthClient).registerType('wecom-bridge', { components: { SignInButton, AdminSettingsForm } });
  }
}

export default PluginWeComBridgeClient;
