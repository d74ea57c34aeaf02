/**
 * The simulator's settings: what a WeCom admin console would hold for one self-built app (corp ID,
 * agent ID, secret, trusted domains and IPs, the app's creation date), plus simulator knobs.
 */
import type { SimDepartment, SimMember } from './directory.js';
import type { EventTarget } from './events.js';

/** Settings that tests may change at run time (`state.setConfig`, `PUT /_sim/config`). */
export interface SimConfig {
  corpId: string;
  agentId: string;
  secret: string;
  /** host[:port] values a redirect_uri may use; empty = any host. */
  trustedDomains: string[];
  /** Source IPs allowed to call data APIs; empty = any (gettoken is always allowed, as in WeCom). */
  trustedIps: string[];
  /** Apps created after 2022-06-20 get no mobile/gender/email/biz_mail/avatar from user/get. */
  appCreatedAfter2022: boolean;
  /** `expires_in` of access tokens, seconds. */
  tokenExpiresIn: number;
  /** Added before every `/cgi-bin/*` answer, ms. */
  latencyMs: number;
  /** Userid the login pages use when the request names none (else they show a picker). */
  defaultUser: string | undefined;
  /** The app's event server (URL, Token, EncodingAESKey) that receives contact changes; none: no events. */
  eventTarget: EventTarget | undefined;
}

/** Options of the simulator (all optional). */
export interface SimOptions extends Partial<SimConfig> {
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** Listen port (default 0: any free port). */
  readonly port?: number;
  /** The directory (default: the fixture members). */
  readonly members?: readonly SimMember[];
  /** The department tree (default: the fixture departments). */
  readonly departments?: readonly SimDepartment[];
  /** Fastify request logging (default false). */
  readonly logger?: boolean;
  /** Time source in epoch ms that the simulated clock starts from (default `Date.now`). */
  readonly clock?: () => number;
}

/** The settings the control API may change; corp ID, agent ID and secret stay fixed per run. */
export const MUTABLE_CONFIG_KEYS = [
  'trustedDomains',
  'trustedIps',
  'appCreatedAfter2022',
  'latencyMs',
  'defaultUser',
  'tokenExpiresIn',
  'eventTarget',
] as const;

/** A partial update of the mutable settings. */
export type SimConfigPatch = Partial<Pick<SimConfig, (typeof MUTABLE_CONFIG_KEYS)[number]>>;

/** The settings described by `options`, with the documented defaults. */
export function configFromOptions(options: SimOptions): SimConfig {
  return {
    corpId: options.corpId ?? 'ww5imulat0rc0rp1d',
    agentId: options.agentId ?? '1000002',
    secret: options.secret ?? 'sim-secret-0123456789',
    // Copies, so that a test mutating its options array does not change a running simulator.
    trustedDomains: [...(options.trustedDomains ?? [])],
    trustedIps: [...(options.trustedIps ?? [])],
    appCreatedAfter2022: options.appCreatedAfter2022 ?? true,
    tokenExpiresIn: options.tokenExpiresIn ?? 7200,
    latencyMs: options.latencyMs ?? 0,
    defaultUser: options.defaultUser,
    eventTarget: options.eventTarget ? { ...options.eventTarget } : undefined,
  };
}
