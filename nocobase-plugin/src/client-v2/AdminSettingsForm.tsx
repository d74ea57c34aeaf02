/**
 * The authenticator's settings in the modern Settings → Authentication: the same options, checks
 * and help as the classic form, as antd form items under `options` (the modern drawer renders
 * this inside its own antd Form and passes no props). Saving runs the server's checks too.
 */
import { Checkbox, Form, Input, Select } from 'antd';
import React, { useCallback } from 'react';
import { SettingsHelp } from '../common/SettingsHelp.js';
import { type Texts, textsFor } from '../common/texts.js';
import { loadAbout } from '../common/VersionsHelp.js';
import type { ButtonContext } from './SignInButton.js';

function RegisterUris(props: { texts: Texts; context: ButtonContext }): React.ReactElement {
  const { texts, context } = props;
  const load = useCallback(() => loadAbout(context.request), [context]);
  return <SettingsHelp texts={texts} apiBase={context.apiBase()} load={load} />;
}

/** A settings form component bound to `context`. */
export function adminSettingsForm(context: ButtonContext): React.ComponentType {
  return function WeComAdminSettingsForm() {
    const texts = textsFor(context.language());
    const required = (label: string) => [{ required: true, whitespace: true, message: `${label} *` }];
    return (
      <>
        <RegisterUris texts={texts} context={context} />
        <Form.Item
          name={['options', 'issuer']}
          label={texts.issuer}
          extra={texts.issuerHelp}
          rules={[...required(texts.issuer), { type: 'url', message: texts.issuerHelp }]}
        >
          <Input placeholder="https://sso.example.com" />
        </Form.Item>
        <Form.Item name={['options', 'clientId']} label={texts.clientId} rules={required(texts.clientId)}>
          <Input />
        </Form.Item>
        <Form.Item name={['options', 'clientSecret']} label={texts.clientSecret} rules={required(texts.clientSecret)}>
          <Input.Password />
        </Form.Item>
        <Form.Item name={['options', 'scope']} label={texts.scope}>
          <Input placeholder="openid profile email phone" />
        </Form.Item>
        <Form.Item
          name={['options', 'bindBy']}
          label={texts.bindBy}
          extra={texts.bindByHelp}
          initialValue={['phone', 'email']}
        >
          <Select
            mode="multiple"
            options={[
              { label: texts.phone, value: 'phone' },
              { label: texts.email, value: 'email' },
              { label: texts.username, value: 'username' },
            ]}
          />
        </Form.Item>
        <Form.Item name={['options', 'autoSignup']} valuePropName="checked" initialValue={true}>
          <Checkbox>{texts.autoSignup}</Checkbox>
        </Form.Item>
        <Form.Item name={['options', 'autoLoginInWeCom']} valuePropName="checked">
          <Checkbox>{texts.autoLoginInWeCom}</Checkbox>
        </Form.Item>
        <Form.Item name={['options', 'redirectPath']} label={texts.redirectPath}>
          <Input placeholder="/admin" />
        </Form.Item>
      </>
    );
  };
}
