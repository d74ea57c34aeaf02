/**
 * The sign-in pages' texts in English and Chinese (from the plugin's locale files): for each
 * failure, what the person sees and what the administrator can do about it.
 */
import en from '../locale/en-US.json' with { type: 'json' };
import zh from '../locale/zh-CN.json' with { type: 'json' };
import type { SignInFailure } from './errors.js';

export type Lang = 'en-US' | 'zh-CN';

interface FailureText {
  readonly title: string;
  readonly person: string;
  readonly admin: string;
}

/** Each failure's texts by the English text that is its locale key (src/locale/<lang>.json). */
const FAILURES: Record<SignInFailure, FailureText> = {
  authenticator_unknown: {
    title: 'Unknown sign-in method',
    person: 'This sign-in link names a sign-in method that does not exist or is disabled.',
    admin:
      'Check the authenticator name in the link and that the authenticator is enabled in Settings → Authentication.',
  },
  misconfigured: {
    title: 'Sign-in is not set up completely',
    person: 'WeCom sign-in is not configured completely on this site.',
    admin: 'Open Settings → Authentication, edit this authenticator and fix: ',
  },
  provider_unreachable: {
    title: 'The sign-in service cannot be reached',
    person: 'NocoBase could not reach the WeCom sign-in service. Try again in a minute.',
    admin:
      'Check that the issuer URL is right and that NocoBase can reach it (DNS, firewall, proxy): NocoBase fetches <issuer>/.well-known/openid-configuration, the JWKS, the token and userinfo endpoints.',
  },
  issuer_mismatch: {
    title: 'The sign-in service is misconfigured',
    person: 'The WeCom sign-in service answered with a different identity than configured.',
    admin:
      'The discovery document\'s "issuer" must equal the configured issuer exactly: set the issuer to the bridge\'s PUBLIC_URL.',
  },
  invalid_client: {
    title: 'NocoBase is not registered at the sign-in service',
    person: 'The WeCom sign-in service did not accept this NocoBase site.',
    admin:
      "The client ID or client secret does not match the bridge's OIDC_CLIENT_ID / OIDC_CLIENT_SECRET: correct them in Settings → Authentication.",
  },
  state_invalid: {
    title: 'This sign-in expired or was not started here',
    person: 'This sign-in link has expired, or it was started in another browser. Start again from the sign-in page.',
    admin:
      'Nothing to do unless it happens to everyone: then check that cookies reach /api/wecomBridge (a proxy that strips cookies) and that the site is opened under one address.',
  },
  state_used: {
    title: 'This sign-in was already used',
    person: 'This sign-in has already been completed once. Start again from the sign-in page.',
    admin: 'Nothing to do: each sign-in answer is accepted once (a reload or a replayed link shows this page).',
  },
  access_denied: {
    title: 'Sign-in was refused',
    person: 'The sign-in was cancelled or refused, so you are not signed in.',
    admin:
      "The provider refused the sign-in (the person declined, or is disabled or outside the app's visible range in WeCom). See the bridge's log for the reason.",
  },
  provider_error: {
    title: 'The sign-in service reported an error',
    person: 'The WeCom sign-in service could not complete the sign-in. Try again.',
    admin: "See the provider's error below and NocoBase's log.",
  },
  code_rejected: {
    title: 'This sign-in answer was not accepted',
    person: 'The sign-in answer was already used or has expired. Start again from the sign-in page.',
    admin:
      'The provider refused the authorization code (invalid_grant): a replayed or expired callback, or a redirect URI that differs from the one registered at the bridge.',
  },
  token_invalid: {
    title: 'The sign-in could not be verified',
    person: 'NocoBase could not verify the answer of the sign-in service.',
    admin:
      'The ID token failed verification (signature, issuer, audience, expiry or nonce): check the issuer and client ID, and that the clocks of both hosts are right.',
  },
  userinfo_mismatch: {
    title: 'The sign-in could not be verified',
    person: 'The sign-in service gave inconsistent answers.',
    admin:
      "The userinfo response names another subject than the ID token: check that the issuer's endpoints belong to one provider.",
  },
  no_account: {
    title: 'No NocoBase account for this WeCom member',
    person: 'You signed in with WeCom, but this NocoBase site has no account for you.',
    admin:
      'Create the user in NocoBase with the member\'s mobile number or email (they are found by the "Bind by" fields), or turn on "Sign up automatically" for this authenticator.',
  },
  account_bound_elsewhere: {
    title: 'This account belongs to another WeCom member',
    person: 'The NocoBase account with your mobile number or email is already linked to another WeCom member.',
    admin:
      "Check the user's mobile number and email in NocoBase; remove the old link (Users → the user → authenticators) if the account really is this member's.",
  },
  account_protected: {
    title: 'This account is never linked automatically',
    person:
      "The NocoBase account that matches your mobile number, email or username is an administrator's account, which WeCom sign-in never takes over by itself.",
    admin:
      "If the account really is this member's, link it deliberately: as root, create the binding in NocoBase (usersAuthenticators: authenticator, the member's WeCom userid as uuid, the user's id); see docs/nocobase.md › Linking an administrator's account.",
  },
  internal: {
    title: 'Sign-in could not be completed',
    person: 'Something went wrong in NocoBase while signing you in. Try again.',
    admin: 'See NocoBase\'s log for "wecom-bridge: sign-in failed" with the reference below.',
  },
};

/** The page's fixed labels, likewise. */
const CHROME = {
  back: 'Back to sign in',
  provider: 'The sign-in service said',
  forAdmin: 'For the administrator',
  reference: 'Reference',
} as const;

/** The language of a page: Chinese when the browser prefers it, else English. */
export function pageLanguage(acceptLanguage: string | undefined): Lang {
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('zh') ? 'zh-CN' : 'en-US';
}

/** The texts of `failure`'s page in `lang`. */
export function failureText(failure: SignInFailure, lang: Lang): FailureText {
  const { title, person, admin } = FAILURES[failure];
  return { title: translate(title, lang), person: translate(person, lang), admin: translate(admin, lang) };
}

/** The page's fixed labels in `lang`. */
export function chromeText(lang: Lang): Record<keyof typeof CHROME, string> {
  return Object.fromEntries(Object.entries(CHROME).map(([name, key]) => [name, translate(key, lang)])) as Record<
    keyof typeof CHROME,
    string
  >;
}

function translate(key: string, lang: Lang): string {
  const locale: Record<string, string> = lang === 'zh-CN' ? zh : en;
  return locale[key] ?? key;
}
