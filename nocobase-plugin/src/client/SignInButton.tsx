/**
 * The button on NocoBase's classic sign-in page, one per authenticator of this type. Inside the
 * WeCom client, with "log in automatically" on, it starts the login as soon as the page shows.
 */
import { useAPIClient, useApp } from '@nocobase/client';
import { Button } from 'antd';
import React, { useEffect } from 'react';
import { type PublicAuthenticator, shouldAutoLogin, signInUrl } from '../common/links.js';
import { textsFor } from '../common/texts.js';

/** The WeCom sign-in button. */
export function SignInButton(props: { authenticator: PublicAuthenticator }): React.ReactElement {
  const { authenticator } = props;
  const api = useAPIClient();
  const app = useApp();
  const href = signInUrl(String(api.axios.defaults.baseURL ?? '/api/'), authenticator.name, window.location.search);
  const auto = shouldAutoLogin(authenticator.options, navigator.userAgent, document.cookie);
  useEffect(() => {
    if (auto) window.location.replace(href);
  }, [auto, href]);
  const label = authenticator.title || textsFor(app?.i18n?.language).signIn;
  return (
    <Button block href={href} loading={auto} data-authenticator={authenticator.name}>
      {label}
    </Button>
  );
}
