/**
 * Loads the configuration: `.env` merging, `*_FILE` resolution, schema parsing and cross-variable
 * rules. Every problem is collected and reported at once in one {@link ConfigError}.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { type ConfigProblem, parseClients } from './clients.js';
import { type DomainVerifyFile, parseDomainVerifyFiles } from './domain-verify.js';
import { envSchema, FILE_VARIABLES, type ParsedEnv } from './schema.js';
import { signingKeyProblems } from './signing-key.js';
import type { Config, RequiredClaim } from './types.js';
import { publicUrlProblem } from './urls.js';

/** Why a generated key is refused with Redis, and exactly what to do instead. */
export const SHARED_KEY_REQUIRED =
  'required when REDIS_URL is set: replicas sharing one Redis must sign with one shared key instead of each generating its own. ' +
  'Create one with "npm run --silent keygen > signing-key.pem" (in the image: "node dist/src/keygen.js > signing-key.pem"), ' +
  'then give every replica the same file with SIGNING_KEY_FILE=/path/to/signing-key.pem (or its content in SIGNING_KEY)';

/** The configuration is unusable; `problems` lists every reason. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.variable}: ${p.message}`);
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`Invalid configuration (${count}):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The message `npm start` (and `npm run doctor`) prints for a bad configuration. */
export function formatConfigError(error: ConfigError): string {
  return `wecom-oidc-bridge: ${error.message}\nSee .env.example and README.md for every variable.`;
}

/** Environment as a plain map (process.env or a test's object). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `.env` from `dir` when it exists. Variables already in `env` win over the file, as with
 * dotenv and docker's `--env-file`: the file is a convenience, never an override.
 */
export function withDotEnv(env: Env, dir: string = process.cwd()): Env {
  let text: string;
  try {
    text = readFileSync(join(dir, '.env'), 'utf8');
  } catch {
    return env;
  }
  return { ...parseEnv(text), ...env };
}

/**
 * Validates `env` and returns the configuration.
 * @throws {ConfigError} listing every problem (never the value of a secret).
 */
export function loadConfig(env: Env): Config {
  const problems: ConfigProblem[] = [];
  const resolved = resolveFileVariables(withProxyVariables(env), problems);
  const parsed = envSchema.safeParse(resolved);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ variable: String(issue.path[0] ?? 'environment'), message: cleanMessage(issue.message) });
    }
  }
  const data = parsed.success ? parsed.data : undefined;
  const allowInsecureHttp = data?.ALLOW_INSECURE_HTTP ?? false;
  const publicUrl = resolved.PUBLIC_URL?.trim();
  if (publicUrl) {
    const problem = publicUrlProblem(publicUrl, allowInsecureHttp);
    if (problem) problems.push({ variable: 'PUBLIC_URL', message: problem });
  }
  if (data?.SIGNING_KEY !== undefined) {
    const fileVariant = env.SIGNING_KEY_FILE?.trim() ? 'SIGNING_KEY_FILE' : 'SIGNING_KEY';
    for (const message of signingKeyProblems(data.SIGNING_KEY, data.SIGNING_ALG))
      problems.push({ variable: fileVariant, message });
  }
  if (data && data.REQUIRE_CLAIMS.length > 0 && data.WECOM_SCOPE === 'snsapi_base') {
    // The only source of mobile/email on current apps is the in-client consent (snsapi_privateinfo).
    problems.push({
      variable: 'REQUIRE_CLAIMS',
      message: 'needs WECOM_SCOPE=snsapi_privateinfo (snsapi_base never yields phone or email)',
    });
  }
  if (data?.METRICS_ADDRESS && data.METRICS_ADDRESS.port !== 0 && data.METRICS_ADDRESS.port === data.PORT) {
    problems.push({
      variable: 'METRICS_ADDRESS',
      message: `must use another port than PORT (${data.PORT}): /metrics is never served on the public port`,
    });
  }
  if (resolved.REDIS_URL?.trim() && !resolved.SIGNING_KEY?.trim() && !env.SIGNING_KEY_FILE?.trim()) {
    problems.push({ variable: 'SIGNING_KEY', message: SHARED_KEY_REQUIRED });
  }
  if (data && (data.WECOM_CALLBACK_TOKEN === undefined) !== (data.WECOM_CALLBACK_AES_KEY === undefined)) {
    const missing = data.WECOM_CALLBACK_TOKEN === undefined ? 'WECOM_CALLBACK_TOKEN' : 'WECOM_CALLBACK_AES_KEY';
    problems.push({
      variable: missing,
      message: `required with ${missing === 'WECOM_CALLBACK_TOKEN' ? 'WECOM_CALLBACK_AES_KEY' : 'WECOM_CALLBACK_TOKEN'}: the event server needs both the Token and the EncodingAESKey of 设置API接收 (or neither)`,
    });
  }
  const clients = parseClients(data ?? cleanedClientEnv(resolved), allowInsecureHttp, problems);
  const verify = parseDomainVerifyFiles(resolved.WECOM_DOMAIN_VERIFY_FILE);
  for (const message of verify.problems) problems.push({ variable: 'WECOM_DOMAIN_VERIFY_FILE', message });
  if (problems.length > 0 || !data) throw new ConfigError(uniqueProblems(problems));
  return buildConfig(data, clients, verify.files);
}

function buildConfig(
  data: ParsedEnv,
  clients: Config['clients'],
  domainVerifyFiles: readonly DomainVerifyFile[],
): Config {
  return Object.freeze({
    publicUrl: data.PUBLIC_URL,
    host: data.HOST,
    port: data.PORT,
    connections: Object.freeze({ requestTimeout: data.REQUEST_TIMEOUT, maxConnections: data.MAX_CONNECTIONS }),
    ...(data.METRICS_ADDRESS === undefined
      ? {}
      : {
          metrics: Object.freeze({
            ...data.METRICS_ADDRESS,
            ...(data.METRICS_TOKEN === undefined ? {} : { token: data.METRICS_TOKEN }),
          }),
        }),
    wecom: Object.freeze({
      corpId: data.WECOM_CORP_ID,
      agentId: data.WECOM_AGENT_ID,
      secret: data.WECOM_SECRET,
      apiBase: data.WECOM_API_BASE,
      oauthBase: data.WECOM_OAUTH_BASE,
      ssoBase: data.WECOM_SSO_BASE,
      scope: data.WECOM_SCOPE,
      loginMode: data.WECOM_LOGIN_MODE,
    }),
    ...(data.WECOM_CALLBACK_TOKEN === undefined || data.WECOM_CALLBACK_AES_KEY === undefined
      ? {}
      : {
          events: Object.freeze({
            token: data.WECOM_CALLBACK_TOKEN,
            aesKey: data.WECOM_CALLBACK_AES_KEY,
            leaseSeconds: data.OFFBOARDING_LEASE,
          }),
        }),
    clients: Object.freeze([...clients]),
    signing: Object.freeze({
      ...(data.SIGNING_KEY === undefined ? {} : { key: data.SIGNING_KEY }),
      alg: data.SIGNING_ALG,
      dataDir: data.DATA_DIR,
    }),
    ...(data.REDIS_URL === undefined
      ? {}
      : { redis: Object.freeze({ url: data.REDIS_URL, keyPrefix: data.REDIS_KEY_PREFIX }) }),
    trustProxy: data.TRUST_PROXY,
    ...outboundProxy(data),
    logLevel: data.LOG_LEVEL,
    ttl: Object.freeze({
      code: data.CODE_TTL,
      accessToken: data.ACCESS_TOKEN_TTL,
      idToken: data.ID_TOKEN_TTL,
      refreshToken: data.REFRESH_TOKEN_TTL,
      session: data.SESSION_TTL,
      login: data.LOGIN_TTL,
    }),
    rateLimit: Object.freeze({
      windowSeconds: data.RATE_LIMIT_WINDOW,
      authorizePerIp: data.RATE_LIMIT_AUTHORIZE_PER_IP,
      tokenPerIp: data.RATE_LIMIT_TOKEN_PER_IP,
      tokenPerClient: data.RATE_LIMIT_TOKEN_PER_CLIENT,
      authFailuresPerIp: data.RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_IP,
      authFailuresPerClient: data.RATE_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT,
      weComCodeFailuresPerIp: data.RATE_LIMIT_WECOM_CODE_FAILURES_PER_IP,
      weComCodeFailuresPerHour: data.RATE_LIMIT_WECOM_CODE_FAILURES_PER_HOUR,
      logoutPerIp: data.RATE_LIMIT_LOGOUT_PER_IP,
    }),
    allowInsecureHttp: data.ALLOW_INSECURE_HTTP,
    claims: Object.freeze({
      subFormat: data.SUB_FORMAT,
      usernameFrom: data.USERNAME_FROM,
      ...(data.EMAIL_FALLBACK_TEMPLATE === undefined ? {} : { emailFallbackTemplate: data.EMAIL_FALLBACK_TEMPLATE }),
      groupNames: data.GROUP_NAMES,
      requireClaims: Object.freeze([...new Set(data.REQUIRE_CLAIMS)] as RequiredClaim[]),
    }),
    policy: Object.freeze({
      allowedUsers: Object.freeze(data.WECOM_ALLOWED_USERS.map((userid) => userid.toLowerCase())),
      allowedDepartments: Object.freeze([...new Set(data.WECOM_ALLOWED_DEPARTMENTS)]),
      departmentCacheTtl: data.DEPARTMENT_CACHE_TTL,
    }),
    firstLogin: Object.freeze({ profileTtl: data.PROFILE_TTL, handoffTtl: data.HANDOFF_TTL }),
    domainVerifyFiles: Object.freeze(domainVerifyFiles.map((file) => Object.freeze({ ...file }))),
  });
}

/**
 * The proxy variables as curl and undici read them: the lowercase spelling wins when both are set.
 */
function withProxyVariables(env: Env): Env {
  const pick = (name: string) => env[name.toLowerCase()] ?? env[name];
  return { ...env, HTTP_PROXY: pick('HTTP_PROXY'), HTTPS_PROXY: pick('HTTPS_PROXY'), NO_PROXY: pick('NO_PROXY') };
}

function outboundProxy(data: ParsedEnv): { outboundProxy?: Config['outboundProxy'] } {
  if (data.HTTP_PROXY === undefined && data.HTTPS_PROXY === undefined) return {};
  return {
    outboundProxy: Object.freeze({
      ...(data.HTTP_PROXY === undefined ? {} : { httpProxy: data.HTTP_PROXY }),
      ...(data.HTTPS_PROXY === undefined ? {} : { httpsProxy: data.HTTPS_PROXY }),
      ...(data.NO_PROXY === undefined ? {} : { noProxy: data.NO_PROXY }),
    }),
  };
}

/**
 * Replaces `<NAME>_FILE` by the file's content under `<NAME>`. Both set is an error (which one
 * would win is a guess); a trailing newline, as editors and `echo` leave it, is dropped.
 */
function resolveFileVariables(env: Env, problems: ConfigProblem[]): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const name of FILE_VARIABLES) {
    const path = env[`${name}_FILE`]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) {
      problems.push({ variable: `${name}_FILE`, message: `set together with ${name}; set only one of them` });
      continue;
    }
    try {
      resolved[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push({ variable: `${name}_FILE`, message: `cannot read "${path}" (${code})` });
    }
  }
  return resolved;
}

/** Client variables trimmed as the schema would, for reporting their problems even when others fail. */
function cleanedClientEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const names = [
    'OIDC_CLIENT_ID',
    'OIDC_CLIENT_SECRET',
    'OIDC_REDIRECT_URIS',
    'OIDC_POST_LOGOUT_REDIRECT_URIS',
    'OIDC_INITIATE_LOGIN_URI',
    'OIDC_BACKCHANNEL_LOGOUT_URI',
    'OIDC_CLIENTS',
  ];
  return Object.fromEntries(names.map((name) => [name, env[name]?.trim() || undefined]));
}

function cleanMessage(message: string): string {
  return message.replace(/^Invalid input: expected string, received undefined$/, 'required');
}

function uniqueProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.variable}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
