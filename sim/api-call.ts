/**
 * What a server API handler gets from a request: the query string, the raw body and the caller's
 * IP, so that handlers stay plain functions of (state, call).
 */
import type { FastifyRequest } from 'fastify';

/** One call of a server API. */
export interface ApiCall {
  readonly query: Readonly<Record<string, unknown>>;
  /** The raw request body (WeCom parses it itself, whatever the content type). */
  readonly body: string | undefined;
  /** The caller's IP as WeCom would see it (echoed in errmsg, checked against trusted IPs). */
  readonly ip: string;
}

/** The call described by a fastify request. */
export function apiCall(request: FastifyRequest): ApiCall {
  return {
    query: (request.query ?? {}) as Record<string, unknown>,
    body: typeof request.body === 'string' ? request.body : undefined,
    ip: sourceIp(request),
  };
}

/** A query parameter as a non-empty string; absent, empty or repeated parameters give undefined. */
export function param(call: ApiCall, name: string): string | undefined {
  const value = call.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The peer address, with the IPv4-mapped IPv6 prefix removed (a dual-stack listener adds it). */
function sourceIp(request: FastifyRequest): string {
  return request.ip.startsWith('::ffff:') ? request.ip.slice('::ffff:'.length) : request.ip;
}
