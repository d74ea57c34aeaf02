/**
 * The registered relying parties: `OIDC_CLIENT_*` (one client) and/or `OIDC_CLIENTS` (JSON list).
 */
import { z } from 'zod';
import type { ClientConfig } from './types.js';
import { backchannelUriProblem, redirectUriProblem } from './urls.js';

/** A problem found in the configuration: the variable (and field) and what is wrong. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** Shortest client secret accepted: shorter ones are guessable, and RPs store them anyway. */
export const MIN_CLIENT_SECRET_LENGTH = 16;

/** RFC 6749 Appendix A.1: `client-id = *VSCHAR`, printable ASCII with the space (empty ids refused). */
const clientIdPattern = /^[\x20-\x7E]+$/;

const jsonClient = z.object({
  client_id: z.string().regex(clientIdPattern, {
    error:
      'must be printable ASCII characters (RFC 6749 Appendix A.1: letters, digits, spaces and punctuation), not empty',
  }),
  client_secret: z
    .string()
    .min(MIN_CLIENT_SECRET_LENGTH, { error: `must be at least ${MIN_CLIENT_SECRET_LENGTH} characters` }),
  redirect_uris: z.array(z.string()).min(1, { error: 'must list at least one redirect URI' }),
  post_logout_redirect_uris: z.array(z.string()).optional(),
  initiate_login_uri: z.string().optional(),
  backchannel_logout_uri: z.string().optional(),
});

/** The client-related variables after `_FILE` resolution. */
export interface ClientEnv {
  readonly OIDC_CLIENT_ID?: string | undefined;
  readonly OIDC_CLIENT_SECRET?: string | undefined;
  readonly OIDC_REDIRECT_URIS?: string | undefined;
  readonly OIDC_POST_LOGOUT_REDIRECT_URIS?: string | undefined;
  readonly OIDC_INITIATE_LOGIN_URI?: string | undefined;
  readonly OIDC_BACKCHANNEL_LOGOUT_URI?: string | undefined;
  readonly OIDC_CLIENTS?: string | undefined;
}

/**
 * Builds the client list, appending every problem found to `problems`.
 * Each problem names the variable, and for `OIDC_CLIENTS` the client index and field.
 */
export function parseClients(env: ClientEnv, allowInsecureHttp: boolean, problems: ConfigProblem[]): ClientConfig[] {
  const clients = [
    ...singleClient(env, allowInsecureHttp, problems),
    ...jsonClients(env.OIDC_CLIENTS, allowInsecureHttp, problems),
  ];
  if (clients.length === 0 && !problems.some((p) => p.variable.startsWith('OIDC_'))) {
    problems.push({
      variable: 'OIDC_CLIENT_ID',
      message: 'required (or OIDC_CLIENTS): no relying party is configured',
    });
  }
  const seen = new Set<string>();
  for (const client of clients) {
    if (seen.has(client.clientId)) {
      problems.push({ variable: 'OIDC_CLIENTS', message: `client_id "${client.clientId}" is configured twice` });
    }
    seen.add(client.clientId);
  }
  return clients;
}

function singleClient(env: ClientEnv, allowInsecureHttp: boolean, problems: ConfigProblem[]): ClientConfig[] {
  const { OIDC_CLIENT_ID: id, OIDC_CLIENT_SECRET: secret, OIDC_REDIRECT_URIS: redirects } = env;
  if (id === undefined) {
    for (const name of [
      'OIDC_CLIENT_SECRET',
      'OIDC_REDIRECT_URIS',
      'OIDC_POST_LOGOUT_REDIRECT_URIS',
      'OIDC_INITIATE_LOGIN_URI',
      'OIDC_BACKCHANNEL_LOGOUT_URI',
    ] as const) {
      if (env[name] !== undefined) problems.push({ variable: name, message: 'is set but OIDC_CLIENT_ID is not' });
    }
    return [];
  }
  const before = problems.length;
  if (!clientIdPattern.test(id))
    problems.push({
      variable: 'OIDC_CLIENT_ID',
      message:
        'must be printable ASCII characters (RFC 6749 Appendix A.1: letters, digits, spaces and punctuation), not empty',
    });
  if (secret === undefined)
    problems.push({
      variable: 'OIDC_CLIENT_SECRET',
      message: 'required with OIDC_CLIENT_ID (or OIDC_CLIENT_SECRET_FILE)',
    });
  else if (secret.length < MIN_CLIENT_SECRET_LENGTH) {
    problems.push({
      variable: 'OIDC_CLIENT_SECRET',
      message: `must be at least ${MIN_CLIENT_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)`,
    });
  }
  const redirectUris = splitList(redirects);
  if (redirectUris.length === 0)
    problems.push({
      variable: 'OIDC_REDIRECT_URIS',
      message: 'required with OIDC_CLIENT_ID, e.g. https://nocobase.example.com/api/oidc:redirect',
    });
  checkUris('OIDC_REDIRECT_URIS', redirectUris, allowInsecureHttp, problems);
  const postLogout = splitList(env.OIDC_POST_LOGOUT_REDIRECT_URIS);
  checkUris('OIDC_POST_LOGOUT_REDIRECT_URIS', postLogout, allowInsecureHttp, problems);
  const loginUri = env.OIDC_INITIATE_LOGIN_URI;
  checkUris('OIDC_INITIATE_LOGIN_URI', loginUri === undefined ? [] : [loginUri], allowInsecureHttp, problems);
  const backchannel = env.OIDC_BACKCHANNEL_LOGOUT_URI;
  checkBackchannel('OIDC_BACKCHANNEL_LOGOUT_URI', backchannel, problems);
  if (problems.length > before || secret === undefined) return [];
  return [
    freezeClient({
      clientId: id,
      clientSecret: secret,
      redirectUris,
      postLogoutRedirectUris: postLogout,
      ...(loginUri === undefined ? {} : { initiateLoginUri: loginUri }),
      ...(backchannel === undefined ? {} : { backchannelLogoutUri: backchannel }),
    }),
  ];
}

function jsonClients(raw: string | undefined, allowInsecureHttp: boolean, problems: ConfigProblem[]): ClientConfig[] {
  if (raw === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    problems.push({ variable: 'OIDC_CLIENTS', message: 'is not valid JSON (expected an array of client objects)' });
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push({ variable: 'OIDC_CLIENTS', message: 'must be a JSON array of client objects' });
    return [];
  }
  return value.flatMap((item, index) => {
    const where = `OIDC_CLIENTS[${index}]`;
    const parsed = jsonClient.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
        const message =
          issue.code === 'invalid_type' ? `${issue.message.replace(/^Invalid input: /, '')}` : issue.message;
        problems.push({ variable: `${where}${field}`, message: describeClient(item) + message });
      }
      return [];
    }
    const before = problems.length;
    checkUris(`${where}.redirect_uris`, parsed.data.redirect_uris, allowInsecureHttp, problems);
    checkUris(
      `${where}.post_logout_redirect_uris`,
      parsed.data.post_logout_redirect_uris ?? [],
      allowInsecureHttp,
      problems,
    );
    const loginUri = parsed.data.initiate_login_uri;
    checkUris(`${where}.initiate_login_uri`, loginUri === undefined ? [] : [loginUri], allowInsecureHttp, problems);
    const backchannel = parsed.data.backchannel_logout_uri;
    checkBackchannel(`${where}.backchannel_logout_uri`, backchannel, problems);
    if (problems.length > before) return [];
    return [
      freezeClient({
        clientId: parsed.data.client_id,
        clientSecret: parsed.data.client_secret,
        redirectUris: parsed.data.redirect_uris,
        postLogoutRedirectUris: parsed.data.post_logout_redirect_uris ?? [],
        ...(loginUri === undefined ? {} : { initiateLoginUri: loginUri }),
        ...(backchannel === undefined ? {} : { backchannelLogoutUri: backchannel }),
      }),
    ];
  });
}

/** Names the client in a message when its id is readable, so admins find the right entry. */
function describeClient(item: unknown): string {
  const id = (item as { client_id?: unknown } | null)?.client_id;
  return typeof id === 'string' && clientIdPattern.test(id) ? `(client "${id}") ` : '';
}

function checkUris(
  variable: string,
  uris: readonly string[],
  allowInsecureHttp: boolean,
  problems: ConfigProblem[],
): void {
  uris.forEach((uri) => {
    const problem = redirectUriProblem(uri, allowInsecureHttp);
    if (problem) problems.push({ variable, message: problem });
  });
}

function checkBackchannel(variable: string, uri: string | undefined, problems: ConfigProblem[]): void {
  const problem = uri === undefined ? undefined : backchannelUriProblem(uri);
  if (problem) problems.push({ variable, message: problem });
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function freezeClient(client: ClientConfig): ClientConfig {
  return Object.freeze({
    ...client,
    redirectUris: Object.freeze([...client.redirectUris]),
    postLogoutRedirectUris: Object.freeze([...client.postLogoutRedirectUris]),
  });
}
