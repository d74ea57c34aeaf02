/**
 * The log's second line of defence (http/log-redaction.ts), through the service's real pino
 * options: secret-named values are blanked at any depth, in log objects, in request loggers'
 * bindings and in
 * errors; everything else is logged as given, and the caller's objects are left untouched.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CENSOR, redactSecrets } from '../../src/http/log-redaction.js';
import { loggerOptions, redactedChildLogger } from '../../src/http/logging.js';

function capture(): { log: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write: (chunk, _encoding, done) => {
      chunks.push(String(chunk));
      done();
    },
  });
  const log = pino(loggerOptions('trace'), stream);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, lines };
}

describe('log redaction', () => {
  it('blanks secret-named values at the top, nested, in arrays and in any letter case', () => {
    const { log, lines } = capture();
    log.info(
      {
        code: 'c-top',
        route: '/token',
        status: 200,
        headers: { Authorization: 'Basic abc', cookie: 'sid=1', accept: 'text/html' },
        deep: { a: { b: { refresh_token: 'r-deep', kept: 1 } } },
        list: [{ state: 's-in-list' }, 'plain'],
        clientSecret: 'cs',
        url: '/authorize?code=x',
      },
      'line',
    );
    const [line] = lines();
    expect(line).toMatchObject({
      msg: 'line',
      code: CENSOR,
      route: '/token',
      status: 200,
      clientSecret: CENSOR,
      url: CENSOR,
      headers: { Authorization: CENSOR, cookie: CENSOR, accept: 'text/html' },
      deep: { a: { b: { refresh_token: CENSOR, kept: 1 } } },
      list: [{ state: CENSOR }, 'plain'],
    });
    const text = JSON.stringify(line);
    for (const secret of ['c-top', 'Basic abc', 'sid=1', 'r-deep', 's-in-list', 'cs"', 'code=x'])
      expect(text).not.toContain(secret);
  });

  it("blanks secrets in the bindings of a request's child logger", () => {
    const { log, lines } = capture();
    const bindings = { reqId: 'r1', nonce: 'n-secret', client: { secret: 'x-secret', id: 'nocobase' } };
    const child = redactedChildLogger(log, bindings, {});
    child.info('bound');
    const [line] = lines();
    expect(line).toMatchObject({
      reqId: 'r1',
      nonce: CENSOR,
      client: { secret: CENSOR, id: 'nocobase' },
      service: 'wecom-oidc-bridge',
    });
  });

  it('serializes errors once, with their secret-named properties blanked', () => {
    const { log, lines } = capture();
    const error = Object.assign(new TypeError('boom'), { code: 'ERR_X', access_token: 'at-secret', detail: 'kept' });
    log.error({ err: error }, 'failed');
    log.error(new RangeError('direct'));
    log.info({ nested: { cause: error } }, 'nested');
    const [first, second, third] = lines();
    expect(first!.err).toMatchObject({
      type: 'TypeError',
      message: 'boom',
      code: CENSOR,
      access_token: CENSOR,
      detail: 'kept',
    });
    expect(String((first!.err as { stack: string }).stack)).toContain('TypeError: boom');
    expect(second).toMatchObject({ msg: 'direct', err: { type: 'RangeError', message: 'direct' } });
    expect(third).toMatchObject({ nested: { cause: { type: 'TypeError', access_token: CENSOR } } });
    expect(JSON.stringify(lines())).not.toContain('at-secret');
  });

  it("leaves the caller's objects as they were and copies only what it changes", () => {
    const clean = { route: '/userinfo', status: 200, nested: { ms: 1 } };
    expect(redactSecrets(clean)).toBe(clean);
    const dirty = { route: '/token', inner: { code: 'c' }, other: { ms: 2 } };
    const redacted = redactSecrets(dirty);
    expect(redacted).toEqual({ route: '/token', inner: { code: CENSOR }, other: { ms: 2 } });
    expect(dirty.inner.code).toBe('c');
    expect(redacted.other).toBe(dirty.other);
  });

  it('stops at a depth limit, so that a cyclic object cannot hang the logger', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const { log, lines } = capture();
    log.info({ cyclic }, 'cycle');
    const [line] = lines();
    let level = line!.cyclic as Record<string, unknown>;
    let depth = 1;
    while (typeof level.self === 'object') {
      level = level.self as Record<string, unknown>;
      depth += 1;
    }
    expect(level.self).toBe(CENSOR);
    expect(depth).toBeLessThanOrEqual(8);
  });
});
