/**
 * The authenticator's settings in Settings → Authentication: issuer, client, scope, how existing
 * users are found, auto sign-up, auto login in WeCom, the page after sign-in, and the two URIs to
 * register at the bridge.
 */
import { SchemaComponent, useAPIClient, useApp } from '@nocobase/client';
import { Typography } from 'antd';
import React from 'react';
import { textsFor, type Texts } from './texts.js';

/** The URIs this NocoBase uses, for the administrator to register at the bridge. */
function RegisterUris(): unknown {
  const texts = textsFor(useApp()?.i18n?.language);
  const api = useAPIClient();
  const apiBase = new URL(String(api.axios.defaults.baseURL ?? '/api/'), window.location.origin).href.replace(/\/?$/, '/');
  const publicPath = String((window as unknown as { __nocobase_public_path__?: string }).__nocobase_public_path__ ?? '/').replace(/\/?$/, '/');
  const { Paragraph, Text } = Typography;
  return React.createElement(
    Paragraph,
    { type: 'secondary' },
    texts.redirectUri, ' ', React.createElement(Text, { code: true, copyable: true }, `${apiBase}wecomBridge:redirect`),
    ' ', texts.postLogoutUri, ' ', React.createElement(Text, { code: true, copyable: true }, `${window.location.origin}${publicPath}signin`),
  );
}

function field(title: string, component: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'string', title, 'x-decorator': 'FormItem', 'x-component': component, ...extra };
}

function schema(texts: Texts): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      uris: { type: 'void', 'x-component': 'RegisterUris' },
      issuer: field(texts.issuer, 'Input', { required: true, description: texts.issuerHelp }),
      clientId: field(texts.clientId, 'Input', { required: true }),
      clientSecret: field(texts.clientSecret, 'Password', { required: true }),
      scope: field(texts.scope, 'Input', { 'x-component-props': { placeholder: 'openid profile email phone' } }),
      bindBy: field(texts.bindBy, 'Select', {
        type: 'array',
        default: ['phone', 'email'],
        description: texts.bindByHelp,
        enum: [
          { label: texts.phone, value: 'phone' },
          { label: texts.email, value: 'email' },
          { label: texts.username, value: 'username' },
        ],
        'x-component-props': { mode: 'multiple' },
      }),
      autoSignup: field(texts.autoSignup, 'Checkbox', { type: 'boolean', default: true }),
      autoLoginInWeCom: field(texts.autoLoginInWeCom, 'Checkbox', { type: 'boolean' }),
      redirectPath: field(texts.redirectPath, 'Input', { 'x-component-props': { placeholder: '/admin' } }),
    },
  };
}

/** The settings form (rendered by plugin-auth inside the authenticator's `options`). */
export function AdminSettingsForm(): unknown {
  const texts = textsFor(useApp()?.i18n?.language);
  return React.createElement(SchemaComponent, { schema: schema(texts), components: { RegisterUris } });
}
