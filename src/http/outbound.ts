/**
 * The undici dispatcher used for WeCom calls, and only for them (never set globally, so Redis,
 * loopback and tests are unaffected): keep-alive connections, bounded timeouts.
 */
import { Agent, type Dispatcher } from 'undici';

/** Creates the WeCom dispatcher. */
export function createWeComDispatcher(): Dispatcher {
  return new Agent({
    connect: { timeout: 3000 },
    headersTimeout: 5000,
    bodyTimeout: 5000,
    keepAliveTimeout: 30_000,
    connections: 64,
  });
}
