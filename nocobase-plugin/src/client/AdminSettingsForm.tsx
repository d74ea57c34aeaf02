/**
 * The authenticator's settings in the classic Settings → Authentication: issuer, client, scope, how
 * existing users are found, auto sign-up, auto login in WeCom, the page after sign-in, and the
 * URIs to register at the bridge. A schema form, as plugin-auth renders it inside `options`.
 */
import { SchemaComponent, useAPIClient, useApp } from '@nocobase/client';
import React, { useCallback } from 'react';
import { SettingsHelp } from '../common/SettingsHelp.js';
import { type Texts, textsFor } from '../common/texts.js';
import { loadAbout } from '../common/VersionsHelp.js';

/** The URIs to register at the bridge and the versions, as the schema's first item. */
function RegisterUris(): React.ReactElement {
  const texts = textsFor(useApp()?.i18n?.language);
  const api = useAPIClient();
  const load = useCallback(() => loadAbout((options) => api.request(options)), [api]);
  return <SettingsHelp texts={texts} apiBase={String(api.axios.defaults.baseURL ?? '/api/')} load={load} />;
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
export function AdminSettingsForm(): React.ReactElement {
  const texts = textsFor(useApp()?.i18n?.language);
  return <SchemaComponent schema={schema(texts)} components={{ RegisterUris }} />;
}
