/** The relying parties. (Declared once: see ../variables.ts.) */
import { optionalText } from '../parsers.js';
import { declare } from '../variable.js';

/** The relying parties. */
export const CLIENT_VARIABLES = declare({
  OIDC_CLIENT_ID: {
    group: 'clients',
    unset: 'required unless OIDC_CLIENTS',
    description: 'Client id of the relying party (e.g. NocoBase).',
    example: 'nocobase',
    parse: optionalText,
  },
  OIDC_CLIENT_SECRET: {
    group: 'clients',
    unset: 'required with OIDC_CLIENT_ID',
    description:
      'Its client secret, at least 16 characters (e.g. `openssl rand -base64 32`). OIDC_CLIENT_SECRET_FILE reads it from a file.',
    secret: true,
    fileVariant: true,
    example: 'replace-with-a-long-random-secret',
    parse: optionalText,
  },
  OIDC_REDIRECT_URIS: {
    group: 'clients',
    unset: 'required with OIDC_CLIENT_ID',
    description: 'Comma-separated redirect URIs, matched exactly (no prefix or wildcard).',
    example: 'https://nocobase.example.com/api/wecomBridge:redirect',
    parse: optionalText,
  },
  OIDC_POST_LOGOUT_REDIRECT_URIS: {
    group: 'clients',
    description: 'Comma-separated post-logout redirect URIs, matched exactly.',
    parse: optionalText,
  },
  OIDC_BACKCHANNEL_LOGOUT_URI: {
    group: 'clients',
    description:
      'Back-channel logout URI of the OIDC_CLIENT_ID relying party (OpenID Connect Back-Channel Logout 1.0): when WeCom reports the member deleted or disabled, a logout token is POSTed there. Any http(s) URL, private and loopback addresses included (for NocoBase: https://nocobase.example.com/api/wecomBridge:backchannelLogout). In OIDC_CLIENTS: backchannel_logout_uri.',
    parse: optionalText,
  },
  OIDC_CLIENTS: {
    group: 'clients',
    description:
      'JSON array for several relying parties: [{"client_id","client_secret","redirect_uris":[…],"post_logout_redirect_uris":[…],"backchannel_logout_uri"}]. Used beside or instead of the OIDC_CLIENT_* variables.',
    secret: true,
    parse: optionalText,
  },
});
