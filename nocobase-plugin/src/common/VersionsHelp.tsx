/**
 * The settings help's versions line (both client lanes): this plugin's version and, for each
 * issuer of a saved authenticator of this type, the bridge's version, or why it is not known, and
 * a warning when the provider does not vouch for phone numbers (binding by phone then never matches).
 */
import { Typography } from 'antd';
import React, { useEffect, useState } from 'react';
import type { Texts } from './texts.js';

/** `GET wecomBridge:about`'s answer (the server's about.ts). */
export interface About {
  readonly plugin: string;
  readonly providers: readonly { issuer: string; bridgeVersion?: string; phoneVerified: boolean; error?: string }[];
}

/** The line; `load` asks the server (with the administrator's session). */
export function VersionsHelp(props: {
  texts: Texts;
  load: () => Promise<About | undefined>;
}): React.ReactElement | null {
  const { texts, load } = props;
  const [about, setAbout] = useState<About | undefined>();
  useEffect(() => {
    let live = true;
    load().then(
      (answer) => live && setAbout(answer),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (!about) return null;
  return (
    <Typography.Paragraph type="secondary" data-testid="wecom-bridge-versions">
      {texts.pluginVersion} {about.plugin}
      {about.providers.map((provider) => (
        <span key={provider.issuer}>
          {' · '}
          {texts.bridgeAt} {provider.issuer}:{' '}
          {provider.error
            ? `${texts.unreachable} (${provider.error})`
            : provider.bridgeVersion
              ? `${texts.bridgeVersion} ${provider.bridgeVersion}`
              : texts.notBridge}
          {!provider.error && !provider.phoneVerified ? `; ${texts.noPhoneVerified}` : ''}
        </span>
      ))}
    </Typography.Paragraph>
  );
}

/** Reads the answer of an API client's `request` (NocoBase wraps bodies in `data`). */
export async function loadAbout(
  request: (options: { url: string }) => Promise<{ data?: { data?: About } }>,
): Promise<About | undefined> {
  return (await request({ url: 'wecomBridge:about' })).data?.data;
}
