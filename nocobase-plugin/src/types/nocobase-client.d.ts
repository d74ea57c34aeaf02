/**
 * The browser packages the plugin's clients use, declared by hand: NocoBase ships its clients
 * prebuilt inside @nocobase/app, so @nocobase/client and antd are installed nowhere (not even in a
 * NocoBase install from npm), @nocobase/client-v2 is not on npm at all, and the typings of
 * @nocobase/plugin-auth/client(-v2) rest on those. At run time NocoBase's browser loaders supply
 * them. Only what the code touches is declared.
 *
 * The server side has no such declarations: it is type-checked against the real @nocobase/server,
 * auth, database… of an installed NocoBase (tsconfig.server.json, `npm run typecheck:nocobase-plugin`).
 */
declare module '@nocobase/client' {
  export class Plugin {
    app: any;
    load(): Promise<void>;
  }
  export const SchemaComponent: any;
  export function useAPIClient(): any;
  export function useApp(): any;
}

declare module '@nocobase/plugin-auth/client' {
  const PluginAuthClient: any;
  export default PluginAuthClient;
}

declare module '@nocobase/client-v2' {
  export class Plugin {
    app: any;
    load(): Promise<void>;
  }
}

declare module '@nocobase/plugin-auth/client-v2' {
  const PluginAuthClientV2: any;
  export default PluginAuthClientV2;
}

declare module 'antd' {
  export const Button: any;
  export const Checkbox: any;
  export const Form: any;
  export const Input: any;
  export const Select: any;
  export const Typography: any;
}
