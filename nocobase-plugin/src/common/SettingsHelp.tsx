/**
 * The help at the top of the settings form, the same in both client lanes: the URIs to register
 * at the bridge (redirect, post-logout, back-channel logout; with copy buttons) and the versions line.
 */
import { Typography } from 'antd';
import React from 'react';
import { registerUris } from './links.js';
import type { Texts } from './texts.js';
import { type About, VersionsHelp } from './VersionsHelp.js';

/** The help; `load` asks the server for the versions (with the administrator's session). */
export function SettingsHelp(props: {
  texts: Texts;
  apiBase: string;
  load: () => Promise<About | undefined>;
}): React.ReactElement {
  const { texts, apiBase, load } = props;
  const uris = registerUris(apiBase);
  const { Paragraph, Text } = Typography;
  return (
    <>
      <Paragraph type="secondary">
        {texts.redirectUri}{' '}
        <Text code copyable>
          {uris.redirect}
        </Text>{' '}
        {texts.postLogoutUri}{' '}
        <Text code copyable>
          {uris.postLogout}
        </Text>{' '}
        {texts.backchannelLogoutUri}{' '}
        <Text code copyable>
          {uris.backchannelLogout}
        </Text>
      </Paragraph>
      <VersionsHelp texts={texts} load={load} />
    </>
  );
}
