/**
 * The names the plugin's server, classic client and modern client share: written once here.
 * (NocoBase's own auth plugins keep theirs in `src/constants.ts` the same way.)
 */
import manifest from '../package.json' with { type: 'json' };

/** The auth type, as authenticators store it in `authType`. */
export const AUTH_TYPE = 'wecom-bridge';

/** The i18n namespace of the plugin's texts: its package name, as NocoBase's plugins use theirs. */
export const NAMESPACE = '@wecom-oidc-bridge/plugin-auth-wecom-bridge';

/** The resource of the plugin's routes (`/api/wecomBridge:<action>`). */
export const RESOURCE = 'wecomBridge';

/** The landing URL's parameter that carries a sign-in's single-use hand-off value. */
export const HANDOFF_PARAM = 'wecomBridgeHandOff';

/** Readable by the sign-in page's script, which skips the WeCom auto login while it is set. */
export const SIGNED_OUT_COOKIE = 'wecom_bridge_signed_out';

/** `wecomBridge:signIn`'s parameter naming the client lane (`modern`) when no page is asked for. */
export const LANE_PARAM = 'lane';

/** The modern sign-in page's parameter that continues a sign-out to the provider (`endSession`). */
export const SIGN_OUT_PARAM = 'wecomBridgeSignOut';

/** The plugin's own version (its package.json), shown in the settings help. */
export const PLUGIN_VERSION: string = manifest.version;
