/**
 * The NocoBase and React APIs the plugin uses, declared here because NocoBase's packages are not
 * installed in this repository: at run time NocoBase supplies them (its server's node_modules, its
 * browser loader's shared modules). Only what the code touches is declared.
 */
declare module '@nocobase/server' {
  export class Plugin {
    app: any;
    db: any;
    load(): Promise<void>;
  }
}

declare module '@nocobase/auth' {
  export class BaseAuth {
    constructor(config: any);
    protected ctx: any;
    protected options: Record<string, any>;
    protected authenticator: any;
    get jwt(): { decode(token: string): Promise<unknown> };
    get tokenController(): { getConfig(): Promise<unknown> };
    signIn(): Promise<{ user: any; token: string }>;
    signOut(): Promise<any>;
    validate(): Promise<any>;
    validateUsername(username: string): boolean;
  }
}

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
