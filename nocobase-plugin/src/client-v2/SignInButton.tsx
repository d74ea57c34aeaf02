/**
 * The button on the modern sign-in page (`/v/signin`), one per authenticator of this type: the
 * same link and auto login as the classic button. The sign-in page has already rewritten its
 * `?redirect=` to a `/v/` page, so the sign-in returns to the modern lane.
 */
import { Button } from 'antd';
import React, { useEffect } from 'react';
import { type PublicAuthenticator, shouldAutoLogin, signInUrl } from '../common/links.js';
import { textsFor } from '../common/texts.js';
import type { About } from '../common/VersionsHelp.js';

/** What the button needs of the modern app (bound by the plugin, which knows it). */
export interface ButtonContext {
  readonly apiBase: () => string;
  readonly language: () => string | undefined;
  /** The app's API client's `request` (the administrator's session). */
  readonly request: (options: { url: string }) => Promise<{ data?: { data?: About } }>;
}

/** A sign-in button component bound to `context`. */
export function signInButton(context: ButtonContext): React.ComponentType<{ authenticator: PublicAuthenticator }> {
  return function WeComSignInButton({ authenticator }) {
    const href = signInUrl(context.apiBase(), authenticator.name, window.location.search, 'modern');
    const auto = shouldAutoLogin(authenticator.options, navigator.userAgent, document.cookie);
    useEffect(() => {
      if (auto) window.location.replace(href);
    }, [auto, href]);
    const label = authenticator.title || textsFor(context.language()).signIn;
    return (
      <Button block href={href} loading={auto} data-authenticator={authenticator.name}>
        {label}
      </Button>
    );
  };
}
