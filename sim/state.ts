/**
 * The simulator's state (no HTTP here): its configuration, directory, issued codes, tickets and
 * access tokens, queued faults, call counters and a clock that tests can move forward.
 */
import { randomBytes } from 'node:crypto';
import { FIXTURE_DEPARTMENTS, FIXTURE_MEMBERS, type SimDepartment, type SimMember } from './directory.js';

/** Settings that tests may change at run time. */
export interface SimConfig {
  corpId: string;
  agentId: string;
  secret: string;
  /** host[:port] values a redirect_uri may use; empty = any. */
  trustedDomains: string[];
  /** Source IPs allowed to call data APIs; empty = any (gettoken is always allowed). */
  trustedIps: string[];
  /** Apps created after 2022-06-20 get no mobile/email/avatar from user/get. */
  appCreatedAfter2022: boolean;
  tokenExpiresIn: number;
  latencyMs: number;
  /** Userid the login pages use when the request names none (else they show a picker). */
  defaultUser: string | undefined;
}

/** Options of the simulator. */
export interface SimOptions extends Partial<SimConfig> {
  readonly host?: string;
  readonly port?: number;
  readonly members?: readonly SimMember[];
  readonly departments?: readonly SimDepartment[];
  readonly logger?: boolean;
}

/** The server APIs, as counted and as faults target them. */
export type SimApi = 'gettoken' | 'getuserinfo' | 'getuserdetail' | 'userget' | 'department';

/** A queued fault: the next `times` matching calls misbehave. */
export interface SimFault {
  readonly api: SimApi | '*';
  readonly errcode?: number;
  readonly hangMs?: number;
  readonly status?: number;
  times: number;
}

/** A code minted by a login page. */
export interface SimCode {
  readonly userid: string;
  readonly nonMember: boolean;
  /** snsapi_base | snsapi_privateinfo for in-client OAuth, 'web' for web login. */
  readonly scope: string;
  readonly redirectHost: string;
  readonly consent: boolean;
  readonly createdAt: number;
  used: boolean;
}

interface SimTicket {
  readonly userid: string;
  readonly consent: boolean;
  readonly createdAt: number;
}

/** Calls per API. */
export type SimCalls = Record<SimApi, number>;

const CODE_LIFETIME_MS = 300_000;
const TICKET_LIFETIME_MS = 1_800_000;

function emptyCalls(): SimCalls {
  return { gettoken: 0, getuserinfo: 0, getuserdetail: 0, userget: 0, department: 0 };
}

/** Mutable simulator state. */
export class SimState {
  config: SimConfig;
  readonly members = new Map<string, SimMember>();
  departments: SimDepartment[];
  calls: SimCalls = emptyCalls();
  tokensIssued = 0;
  private offsetMs = 0;
  private faults: SimFault[] = [];
  private readonly codes = new Map<string, SimCode>();
  private readonly tickets = new Map<string, SimTicket>();
  private readonly tokens = new Map<string, { expiresAt: number; state: 'valid' | 'expired' | 'invalid' }>();

  constructor(private readonly options: SimOptions = {}) {
    this.config = SimState.configFrom(options);
    this.departments = [...(options.departments ?? FIXTURE_DEPARTMENTS)];
    for (const member of options.members ?? FIXTURE_MEMBERS) this.upsertMember(member);
  }

  private static configFrom(options: SimOptions): SimConfig {
    return {
      corpId: options.corpId ?? 'ww5imulat0rc0rp1d',
      agentId: options.agentId ?? '1000002',
      secret: options.secret ?? 'sim-secret-0123456789',
      trustedDomains: [...(options.trustedDomains ?? [])],
      trustedIps: [...(options.trustedIps ?? [])],
      appCreatedAfter2022: options.appCreatedAfter2022 ?? true,
      tokenExpiresIn: options.tokenExpiresIn ?? 7200,
      latencyMs: options.latencyMs ?? 0,
      defaultUser: options.defaultUser,
    };
  }

  /** Simulated time, epoch ms. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the simulated clock forward. */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  /** Back to the options: counters, codes, tickets, tokens, faults, config and directory. */
  reset(): void {
    this.config = SimState.configFrom(this.options);
    this.calls = emptyCalls();
    this.tokensIssued = 0;
    this.offsetMs = 0;
    this.faults = [];
    this.codes.clear();
    this.tickets.clear();
    this.tokens.clear();
    this.members.clear();
    for (const member of this.options.members ?? FIXTURE_MEMBERS) this.upsertMember(member);
  }

  /** Changes settings at run time. */
  setConfig(partial: Partial<SimConfig>): void {
    this.config = { ...this.config, ...partial };
  }

  /** Adds or replaces a member (userids are case-insensitive in WeCom). */
  upsertMember(member: SimMember): void {
    this.members.set(member.userid.toLowerCase(), member);
  }

  /** Removes a member. */
  deleteMember(userid: string): boolean {
    return this.members.delete(userid.toLowerCase());
  }

  /** The member with this userid, any casing. */
  findMember(userid: string): SimMember | undefined {
    return this.members.get(userid.toLowerCase());
  }

  /** Queues a fault. */
  addFault(fault: Omit<SimFault, 'times'> & { times?: number }): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Drops all queued faults. */
  clearFaults(): void {
    this.faults = [];
  }

  /** The next fault for `api`, consumed. */
  takeFault(api: SimApi): SimFault | undefined {
    const fault = this.faults.find((f) => f.api === api || f.api === '*');
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  /** The current token if still valid, else a new one (WeCom returns the same token while valid). */
  issueToken(): { token: string; expiresIn: number } {
    const now = this.now();
    for (const [token, entry] of this.tokens) {
      if (entry.state === 'valid' && entry.expiresAt > now) return { token, expiresIn: Math.ceil((entry.expiresAt - now) / 1000) };
    }
    const token = randomBytes(48).toString('base64url');
    this.tokens.set(token, { expiresAt: now + this.config.tokenExpiresIn * 1000, state: 'valid' });
    this.tokensIssued += 1;
    return { token, expiresIn: this.config.tokenExpiresIn };
  }

  /** 0 for a usable token, else WeCom's errcode (41001 missing, 40014 invalid, 42001 expired). */
  checkToken(token: string | undefined): number {
    if (!token) return 41001;
    const entry = this.tokens.get(token);
    if (!entry || entry.state === 'invalid') return 40014;
    if (entry.state === 'expired' || entry.expiresAt <= this.now()) return 42001;
    return 0;
  }

  /** Every issued token answers 42001 from now on. */
  expireTokens(): void {
    for (const entry of this.tokens.values()) entry.state = 'expired';
  }

  /** Every issued token answers 40014 from now on. */
  invalidateTokens(): void {
    for (const entry of this.tokens.values()) entry.state = 'invalid';
  }

  /** Mints a login code. */
  mintCode(code: Omit<SimCode, 'createdAt' | 'used'>): string {
    const value = randomBytes(24).toString('base64url');
    this.codes.set(value, { ...code, createdAt: this.now(), used: false });
    return value;
  }

  /** The code if usable (unknown, used or older than 5 minutes → undefined). */
  findCode(code: string): SimCode | undefined {
    const entry = this.codes.get(code);
    if (!entry || entry.used || this.now() - entry.createdAt > CODE_LIFETIME_MS) return undefined;
    return entry;
  }

  /** Mints a user_ticket. */
  mintTicket(userid: string, consent: boolean): string {
    const ticket = randomBytes(32).toString('base64url');
    this.tickets.set(ticket, { userid, consent, createdAt: this.now() });
    return ticket;
  }

  /** Every ticket minted so far (tests check that none leaks into logs). */
  issuedTickets(): string[] {
    return [...this.tickets.keys()];
  }

  /** Every access token issued so far. */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  /** 84015 unknown, 84014 expired, else the ticket. */
  readTicket(ticket: string): SimTicket | 84014 | 84015 {
    const entry = this.tickets.get(ticket);
    if (!entry) return 84015;
    if (this.now() - entry.createdAt > TICKET_LIFETIME_MS) return 84014;
    return entry;
  }
}
