/** The validated, immutable configuration the rest of the service reads. */
import type { DomainVerifyFile } from './domain-verify.js';

/** Signing algorithms the bridge can use for ID tokens. */
export type SigningAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

/** How the browser is sent to WeCom. */
export type LoginMode = 'auto' | 'oauth' | 'qr';

/** One registered relying party. */
export interface ClientConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Exact-match redirect URIs. */
  readonly redirectUris: readonly string[];
  /** Exact-match post-logout redirect URIs. */
  readonly postLogoutRedirectUris: readonly string[];
  /** The RP's login page (OIDC `initiate_login_uri`): the "start again" link of our pages. */
  readonly initiateLoginUri?: string;
  /** Where logout tokens are POSTed when a member is ended (Back-Channel Logout 1.0). */
  readonly backchannelLogoutUri?: string;
}

/** The event server (WECOM_CALLBACK_TOKEN, WECOM_CALLBACK_AES_KEY); absent when not configured. */
export interface EventsConfig {
  readonly token: string;
  /** The 43-character EncodingAESKey. */
  readonly aesKey: string;
  /** OFFBOARDING_LEASE: how long a claimed offboarding job stays with its replica, seconds. */
  readonly leaseSeconds: number;
}

/** Bounds on client connections (REQUEST_TIMEOUT, MAX_CONNECTIONS). */
export interface ConnectionConfig {
  /** Seconds a request may take to arrive whole (headers and body). */
  readonly requestTimeout: number;
  /** Most open client connections; 0 = no limit. */
  readonly maxConnections: number;
}

/** The metrics listener (METRICS_ADDRESS, METRICS_TOKEN); absent with METRICS_ADDRESS=off. */
export interface MetricsConfig {
  readonly host: string;
  /** 0 = a free port chosen at startup (tests). */
  readonly port: number;
  /** Bearer token a scraper must send, when set. */
  readonly token?: string;
}

/** Lifetimes in seconds. */
export interface TtlConfig {
  readonly code: number;
  readonly accessToken: number;
  readonly idToken: number;
  readonly refreshToken: number;
  /** 0 disables the bridge's SSO session. */
  readonly session: number;
  /** A started login (the WeCom round trip). */
  readonly login: number;
}

/** Request limits per time window (0 = no limit of that kind). */
export interface RateLimitConfig {
  readonly windowSeconds: number;
  readonly authorizePerIp: number;
  readonly tokenPerIp: number;
  /** Authenticated token requests of one client. */
  readonly tokenPerClient: number;
  /** Failed client authentications from one address. */
  readonly authFailuresPerIp: number;
  /** Failed client authentications naming one client (unregistered ids share one counter). */
  readonly authFailuresPerClient: number;
  /** Callbacks from one address whose WeCom code WeCom rejected. */
  readonly weComCodeFailuresPerIp: number;
  /** Rejected WeCom codes per hour, bridge-wide, before only known addresses reach WeCom. */
  readonly weComCodeFailuresPerHour: number;
  /** /logout has a per-address limit only (its client_id is optional). */
  readonly logoutPerIp: number;
}

/** WeCom app settings. */
export interface WeComConfig {
  readonly corpId: string;
  readonly agentId: string;
  readonly secret: string;
  readonly apiBase: string;
  readonly oauthBase: string;
  readonly ssoBase: string;
  readonly scope: 'snsapi_base' | 'snsapi_privateinfo';
  readonly loginMode: LoginMode;
}

/** Claims `REQUIRE_CLAIMS` can demand. */
export type RequiredClaim = 'phone_number' | 'email';

/** How claims are shaped (SUB_FORMAT, USERNAME_FROM, EMAIL_FALLBACK_TEMPLATE, GROUP_NAMES, REQUIRE_CLAIMS). */
export interface ClaimsConfig {
  readonly subFormat: 'userid' | 'corpid:userid';
  readonly usernameFrom: 'userid' | 'mobile' | 'email_local_part';
  /** Contains `{userid}`. */
  readonly emailFallbackTemplate?: string;
  readonly groupNames: boolean;
  readonly requireClaims: readonly RequiredClaim[];
}

/** Who may sign in (WECOM_ALLOWED_*); both lists empty = every active member. */
export interface PolicyConfig {
  /** Lower-cased userids (WeCom userids are case-insensitive). */
  readonly allowedUsers: readonly string[];
  readonly allowedDepartments: readonly number[];
  /** Seconds the department tree and names are cached. */
  readonly departmentCacheTtl: number;
}

/** First-login support: profile memory and the QR hand-off. */
export interface FirstLoginConfig {
  /** Seconds a consented profile is remembered; 0 = not at all. */
  readonly profileTtl: number;
  /** Seconds a QR hand-off stays usable. */
  readonly handoffTtl: number;
}

/**
 * `TRUST_PROXY`: false (trust no proxy), a hop count (turned into a function by the server) or the
 * proxies' addresses/CIDRs. Never true: the config loader refuses it (the client would pick its
 * own address).
 */
export type TrustProxy = false | number | readonly string[];

/**
 * Forward proxy for the calls to the WeCom server API only (WeCom demands a trusted egress IP).
 * Absent when no proxy variable is set.
 */
export interface OutboundProxyConfig {
  /** Proxy for http:// WeCom bases. */
  readonly httpProxy?: string;
  /** Proxy for https:// WeCom bases (falls back to httpProxy). */
  readonly httpsProxy?: string;
  /** Hosts reached directly: comma-separated names, `.domain` suffixes, `*`. */
  readonly noProxy?: string;
}

/** The whole configuration. */
export interface Config {
  /** Issuer; no trailing slash. */
  readonly publicUrl: string;
  readonly host: string;
  readonly port: number;
  readonly connections: ConnectionConfig;
  readonly metrics?: MetricsConfig;
  readonly wecom: WeComConfig;
  /** WeCom contact events (`/wecom/events`); absent when not configured. */
  readonly events?: EventsConfig;
  readonly clients: readonly ClientConfig[];
  readonly signing: {
    /** Key material as given (PEM or JWK JSON); undefined → generate/keep in dataDir. */
    readonly key?: string;
    readonly alg: SigningAlg;
    readonly dataDir: string;
  };
  readonly redis?: { readonly url: string; readonly keyPrefix: string };
  readonly trustProxy: TrustProxy;
  readonly outboundProxy?: OutboundProxyConfig;
  readonly logLevel: string;
  readonly ttl: TtlConfig;
  readonly rateLimit: RateLimitConfig;
  readonly allowInsecureHttp: boolean;
  readonly claims: ClaimsConfig;
  readonly policy: PolicyConfig;
  readonly firstLogin: FirstLoginConfig;
  /** WeCom domain ownership files served at `/<name>` (`WECOM_DOMAIN_VERIFY_FILE`). */
  readonly domainVerifyFiles: readonly DomainVerifyFile[];
}
