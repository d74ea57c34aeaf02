/**
 * The client half of the plugin: registers the `wecom-bridge` auth type's sign-in button and
 * settings form with NocoBase's authentication plugin.
 */
import { Plugin } from '@nocobase/client';
import PluginAuthClient from '@nocobase/plugin-auth/client';
import { AdminSettingsForm } from './AdminSettingsForm.js';
import { SignInButton } from './SignInButton.js';

/** Loaded by NocoBase's browser loader from `dist/client/index.js`. */
export class PluginWeComBridgeClient extends Plugin {
  override async load(): Promise<void> {
    this.app.pm.get(PluginAuthClient).registerType('wecom-bridge', { components: { SignInButton, AdminSettingsForm } });
  }
}

export default PluginWeComBridgeClient;
