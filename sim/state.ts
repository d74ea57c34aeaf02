/**
 * The simulator's state (no HTTP here): configuration, directory, codes, tickets, access tokens,
 * queued faults, call counters and the clock. The HTTP control API (control.ts) and in-process
 * tests drive the same methods.
 */
import { SimClock } from './clock.js';
import { configFromOptions, type SimConfig, type SimOptions } from './config.js';
import { FIXTURE_DEPARTMENTS, FIXTURE_MEMBERS, type SimDepartment, type SimMember } from './directory.js';
import {
  type ContactChange,
  contactChangeXml,
  deliver,
  type EventAnswer,
  type EventDelivery,
  eventDelivery,
  type VerificationResult,
  verifyEventUrl,
} from './events.js';
import { FaultQueue, type SimApi, type SimFault, type SimFaultInput } from './faults.js';
import { LoginGrants, type SimCode, type SimCodeInput, type SimTicket } from './grants.js';
import { AccessTokens, type TokenCheck } from './tokens.js';

export type { SimConfig, SimConfigPatch, SimOptions } from './config.js';
export type { EventAnswer, EventTarget, VerificationResult } from './events.js';
export type { SimApi, SimFault, SimFaultInput, SimFaultTarget } from './faults.js';
export type { SimCode, SimCodeInput, SimTicket } from './grants.js';

/** Calls per API since the last reset. */
export type SimCalls = Record<SimApi, number>;

/** What `GET /_sim/stats` answers. */
export interface SimStats {
  readonly calls: SimCalls;
  readonly tokensIssued: number;
}

/** Mutable simulator state. */
export class SimState {
  /** Current settings (replace through `setConfig`). */
  config: SimConfig;
  /** The directory, keyed by lower-cased userid: WeCom matches userids case-insensitively. */
  readonly members = new Map<string, SimMember>();
  departments: SimDepartment[];
  /** Calls per API; the object is kept across resets so that references stay live. */
  readonly calls: SimCalls = {
    gettoken: 0,
    getuserinfo: 0,
    getuserdetail: 0,
    userget: 0,
    departmentList: 0,
    departmentSimplelist: 0,
  };
  private readonly clock: SimClock;
  private readonly faults = new FaultQueue();
  private readonly tokens: AccessTokens;
  private readonly grants: LoginGrants;
  /** The last event request sent (for an identical resend, as WeCom retries) and its answer. */
  private lastEvent?: { delivery: EventDelivery; answer: EventAnswer };

  /** @param options the simulator options; `reset()` returns to them */
  constructor(private readonly options: SimOptions = {}) {
    this.clock = new SimClock(options.clock);
    const now = () => this.clock.now();
    this.tokens = new AccessTokens(now);
    this.grants = new LoginGrants(now);
    this.config = configFromOptions(options);
    this.departments = [...(options.departments ?? FIXTURE_DEPARTMENTS)];
    this.loadMembers();
  }

  /** Simulated time, epoch ms. */
  now(): number {
    return this.clock.now();
  }

  /** Moves the simulated clock forward: codes, tickets and tokens expire by it. */
  advance(seconds: number): void {
    this.clock.advance(seconds);
  }

  /** Tokens minted since the last reset. */
  get tokensIssued(): number {
    return this.tokens.issued;
  }

  /** Counters, as `GET /_sim/stats` answers them. */
  stats(): SimStats {
    return { calls: { ...this.calls }, tokensIssued: this.tokens.issued };
  }

  /** Counts one call of `api`. */
  count(api: SimApi): void {
    this.calls[api] += 1;
  }

  /** Back to the options: counters, codes, tickets, tokens, faults, clock, config and directory. */
  reset(): void {
    for (const api of Object.keys(this.calls) as SimApi[]) this.calls[api] = 0;
    this.clock.reset();
    this.faults.clear();
    this.tokens.clear();
    this.grants.clear();
    this.config = configFromOptions(this.options);
    this.departments = [...(this.options.departments ?? FIXTURE_DEPARTMENTS)];
    this.lastEvent = undefined;
    this.loadMembers();
  }

  /** Changes settings at run time (arrays are copied). */
  setConfig(partial: Partial<SimConfig>): void {
    const next = { ...this.config, ...partial };
    this.config = { ...next, trustedDomains: [...next.trustedDomains], trustedIps: [...next.trustedIps] };
  }

  /** Adds or replaces a member (a different casing of an existing userid replaces it). */
  upsertMember(member: SimMember): void {
    this.members.set(member.userid.toLowerCase(), member);
  }

  /**
   * Creates or changes a member: the fields in `patch` replace the stored ones, and the stored
   * spelling of the userid is kept. A new member starts active, in no department, named by userid.
   */
  putMember(userid: string, patch: Partial<SimMember>): SimMember {
    const existing = this.findMember(userid);
    const member: SimMember = {
      name: userid,
      department: [],
      status: 1,
      ...existing,
      ...patch,
      userid: existing?.userid ?? userid,
    };
    this.upsertMember(member);
    return member;
  }

  /** Removes a member; false when there was none. */
  deleteMember(userid: string): boolean {
    return this.members.delete(userid.toLowerCase());
  }

  /**
   * A member leaves: deleted from the directory (`delete`) or disabled (`disable`, status 2), then
   * the contact change is sent to the event server when one is configured. Undefined when there
   * is no such member; `event` is undefined without an event server.
   */
  async memberLeaves(
    userid: string,
    how: 'delete' | 'disable',
  ): Promise<{ member: SimMember; event: EventAnswer | undefined } | undefined> {
    const member = this.findMember(userid);
    if (!member) return undefined;
    if (how === 'delete') this.deleteMember(userid);
    else this.putMember(userid, { status: 2 });
    const change: ContactChange =
      how === 'delete'
        ? { changeType: 'delete_user', userid: member.userid }
        : { changeType: 'update_user', userid: member.userid, status: 2 };
    return { member, event: await this.sendContactChange(change) };
  }

  /** Sends a `change_contact` event to the event server; undefined when none is configured. */
  async sendContactChange(change: ContactChange): Promise<EventAnswer | undefined> {
    const target = this.config.eventTarget;
    if (!target) return undefined;
    const timestamp = Math.floor(this.now() / 1000);
    const message = contactChangeXml(this.config.corpId, change, timestamp);
    return this.send(eventDelivery(target, this.config.corpId, this.config.agentId, message, timestamp));
  }

  /** Sends the last event request again, byte for byte (WeCom's retry); undefined when none was sent. */
  async resendLastEvent(): Promise<EventAnswer | undefined> {
    return this.lastEvent ? this.send(this.lastEvent.delivery) : undefined;
  }

  /** The answer to the last event request, if any. */
  lastEventAnswer(): EventAnswer | undefined {
    return this.lastEvent?.answer;
  }

  /** WeCom's URL verification of the event server; undefined when none is configured. */
  async verifyEventServer(): Promise<VerificationResult | undefined> {
    const target = this.config.eventTarget;
    if (!target) return undefined;
    return verifyEventUrl(target, this.config.corpId, Math.floor(this.now() / 1000));
  }

  private async send(delivery: EventDelivery): Promise<EventAnswer> {
    let answer: EventAnswer;
    try {
      answer = await deliver(delivery);
    } catch (error) {
      // Unreachable or too slow: WeCom records a failed delivery; status 0 says so here.
      answer = { status: 0, body: (error as Error).message };
    }
    this.lastEvent = { delivery, answer };
    return answer;
  }

  /** The member with this userid, in any casing. */
  findMember(userid: string): SimMember | undefined {
    return this.members.get(userid.toLowerCase());
  }

  /** Queues a fault for the next `times` (default 1) matching calls. */
  addFault(fault: SimFaultInput): void {
    this.faults.add(fault);
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** How many calls the queued faults will still affect. */
  pendingFaults(): number {
    return this.faults.pending();
  }

  /** The fault for this call of `api`, consumed. */
  takeFault(api: SimApi): SimFault | undefined {
    return this.faults.take(api);
  }

  /** The token gettoken answers (the same while valid) and the `expires_in` it reports. */
  issueToken(): { token: string; expiresIn: number } {
    // WeCom reports the full lifetime even for a reused token (notes §4, [obs]), so a client that
    // trusts `expires_in` can hold a dead token: the simulator keeps that trap.
    return { token: this.tokens.issue(this.config.tokenExpiresIn), expiresIn: this.config.tokenExpiresIn };
  }

  /** The next gettoken mints a new token; older ones stay valid until they expire. */
  rotateToken(): void {
    this.tokens.rotate();
  }

  /** 0 for a usable token, else WeCom's errcode (41001 missing, 40014 invalid, 42001 expired). */
  checkToken(token: string | undefined): TokenCheck {
    return this.tokens.check(token);
  }

  /** Every issued token answers 42001 from now on. */
  expireTokens(): void {
    this.tokens.expireAll();
  }

  /** Every issued token answers 40014 from now on. */
  invalidateTokens(): void {
    this.tokens.invalidateAll();
  }

  /** Every access token issued since the last reset. */
  issuedTokens(): string[] {
    return this.tokens.list();
  }

  /** Mints a login code. */
  mintCode(input: SimCodeInput): string {
    return this.grants.mintCode(input);
  }

  /** The code if it can still be redeemed (unknown, used or expired → undefined). */
  findCode(code: string): SimCode | undefined {
    return this.grants.findCode(code);
  }

  /** Burns a code after its first successful redemption. */
  burnCode(code: string): void {
    this.grants.burnCode(code);
  }

  /** Mints a user_ticket. */
  mintTicket(userid: string, consent: boolean): string {
    return this.grants.mintTicket(userid, consent);
  }

  /** The ticket, or 84015 (unknown) / 84014 (expired). */
  readTicket(ticket: string): SimTicket | 84014 | 84015 {
    return this.grants.readTicket(ticket);
  }

  /** Every user_ticket minted since the last reset. */
  issuedTickets(): string[] {
    return this.grants.listTickets();
  }

  private loadMembers(): void {
    this.members.clear();
    for (const member of this.options.members ?? FIXTURE_MEMBERS) this.upsertMember(member);
  }
}
