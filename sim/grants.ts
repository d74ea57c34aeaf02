/**
 * What a login leaves behind in WeCom: the `code` handed to the browser (single use, 300 s) and the
 * `user_ticket` that getuserinfo hands out for in-client privateinfo logins (1800 s).
 */
import { randomBytes } from 'node:crypto';

/** Lifetime of a code (doc 91023). */
export const CODE_LIFETIME_MS = 300_000;
/** Lifetime of a user_ticket (self-built app doc 95833). */
export const TICKET_LIFETIME_MS = 1_800_000;

/** A code minted by a login page. */
export interface SimCode {
  /** The member's stored userid (for an outsider, the fixture's id: WeCom answers openid). */
  readonly userid: string;
  readonly nonMember: boolean;
  /** snsapi_base | snsapi_privateinfo for in-client OAuth, 'web' for web login and legacy QR. */
  readonly scope: string;
  /** host[:port] of the redirect_uri: getuserinfo answers 50001 when it is not trusted. */
  readonly redirectHost: string;
  /** false when the member declined to share mobile/email on the consent page. */
  readonly consent: boolean;
  readonly createdAt: number;
  used: boolean;
}

/** The fields a login page supplies for a new code. */
export type SimCodeInput = Omit<SimCode, 'createdAt' | 'used'>;

/** A user_ticket. */
export interface SimTicket {
  readonly userid: string;
  readonly consent: boolean;
  readonly createdAt: number;
}

/** Codes and tickets. */
export class LoginGrants {
  private readonly codes = new Map<string, SimCode>();
  private readonly tickets = new Map<string, SimTicket>();

  /** @param now simulated time, epoch ms */
  constructor(private readonly now: () => number) {}

  /** Mints a code: 32 url-safe characters (WeCom promises ≤ 512 bytes). */
  mintCode(input: SimCodeInput): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { ...input, createdAt: this.now(), used: false });
    return code;
  }

  /** The code if it can still be redeemed (unknown, used or older than 300 s → undefined). */
  findCode(code: string): SimCode | undefined {
    const entry = this.codes.get(code);
    if (!entry || entry.used || this.now() - entry.createdAt > CODE_LIFETIME_MS) return undefined;
    return entry;
  }

  /** Marks a code used: WeCom burns it on its first successful redemption. */
  burnCode(code: string): void {
    const entry = this.codes.get(code);
    if (entry) entry.used = true;
  }

  /** Mints a user_ticket (43 url-safe characters). */
  mintTicket(userid: string, consent: boolean): string {
    const ticket = randomBytes(32).toString('base64url');
    this.tickets.set(ticket, { userid, consent, createdAt: this.now() });
    return ticket;
  }

  /** The ticket, or WeCom's errcode: 84015 unknown, 84014 older than 1800 s. */
  readTicket(ticket: string): SimTicket | 84014 | 84015 {
    const entry = this.tickets.get(ticket);
    if (!entry) return 84015;
    if (this.now() - entry.createdAt > TICKET_LIFETIME_MS) return 84014;
    return entry;
  }

  /** Every ticket minted so far (tests check that none leaks into logs). */
  listTickets(): string[] {
    return [...this.tickets.keys()];
  }

  /** Forgets every code and ticket. */
  clear(): void {
    this.codes.clear();
    this.tickets.clear();
  }
}
