/**
 * The classic client (`/signin`, `/admin`): completes a sign-in's hand-off before the app renders,
 * and registers the `wecom-bridge` auth type's sign-in button and settings form with NocoBase's
 * authentication plugin.
 */
import { Plugin } from '@nocobase/client';
import PluginAuthClient from '@nocobase/plugin-auth/client';
import { completeHandOff } from '../common/handoff.js';
import { continueSignOut } from '../common/links.js';
import { AUTH_TYPE, NAMESPACE } from '../constants.js';
import en from '../locale/en-US.json' with { type: 'json' };
import zh from '../locale/zh-CN.json' with { type: 'json' };
import { AdminSettingsForm } from './AdminSettingsForm.js';
import { SignInButton } from './SignInButton.js';

/** Loaded by NocoBase's browser loader from `dist/client/index.js`. */
export class PluginWeComBridgeClient extends Plugin {
  override async load(): Promise<void> {
    // Before anything renders: a page landing from a sign-in gets its token first.
    if (continueSignOut(String(this.app.apiClient.axios.defaults.baseURL ?? '/api/'))) return;
    await completeHandOff(this.app.apiClient);
    // The auth type's title ({{t("WeCom", { ns })}} from the server) and the forms' texts.
    this.app.i18n.addResources('en-US', NAMESPACE, en);
    this.app.i18n.addResources('zh-CN', NAMESPACE, zh);
    this.app.pm.get(PluginAuthClient).registerType(AUTH_TYPE, { components: { SignInButton, AdminSettingsForm } });
  }
}

export default PluginWeComBridgeClient;
