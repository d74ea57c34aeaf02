/**
 * Who is asking: the client's address as the limits and the logs use it. fastify derives
 * `request.ip` from TRUST_PROXY (the right-most X-Forwarded-For entry that is not a trusted proxy,
 * or the entry a hop count reaches; never the client-written left-most one: `true` is refused at
 * start); whatever that yields is used only if it is an IP address, so a forged or garbled header
 * entry can neither name a made-up client nor grow a counter key.
 */
import { isIP, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { Address6 } from 'ip-address';

/**
 * The address a counter keys on: the client address fastify derived (TRUST_PROXY), validated as
 * an IP (anything else, e.g. a forged X-Forwarded-For entry, falls back to the socket's peer),
 * IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 by its /64 (one host usually holds a whole
 * /64, so counting single addresses would be no limit at all). At most 39 characters.
 */
export function addressKey(request: FastifyRequest): string {
  const ip = clientAddress(request);
  if (!isIPv6(ip)) return ip;
  try {
    const address = new Address6(ip);
    if (address.isMapped4()) return address.to4().correctForm();
    return new Address6(`${address.correctForm()}/64`).startAddress().correctForm();
  } catch {
    // Node accepts forms ip-address does not (zone ids): count the address without its zone.
    return ip.split('%')[0]!.toLowerCase().slice(0, 39);
  }
}

/**
 * The client's address as fastify derived it from TRUST_PROXY, if it is an IP address; else (a
 * forged or garbled X-Forwarded-For entry) the socket's peer. For the limits and the logs.
 */
export function clientAddress(request: FastifyRequest): string {
  return isIP(request.ip) !== 0 ? request.ip : (request.socket.remoteAddress ?? 'unknown');
}

/**
 * What came of the request's X-Forwarded-For: `none`; `trusted` (fastify took the client address
 * from it, so the peer is a TRUST_PROXY proxy); or `untrusted` (sent by a peer TRUST_PROXY does
 * not trust: the request counts as that peer).
 */
export function forwardedFor(request: FastifyRequest): 'none' | 'trusted' | 'untrusted' {
  if (request.headers['x-forwarded-for'] === undefined) return 'none';
  return request.ip === request.socket.remoteAddress ? 'untrusted' : 'trusted';
}
