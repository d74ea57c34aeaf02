/**
 * The doctor's reverse-proxy check: it calls `PUBLIC_URL/healthz` the way browsers reach the
 * bridge (through the proxy), and the bridge answers whether an X-Forwarded-For came with it and
 * whether TRUST_PROXY trusts the peer that sent it. Behind a proxy without TRUST_PROXY every user
 * shares the proxy's address in the rate limits and logs: that is a warning, with what to set.
 */
import type { Config } from '../config/types.js';
import { FORWARDED_HEADER } from '../http/health.js';
import type { CheckResult } from './checks.js';

const NAME = 'reverse proxy';
const TIMEOUT_MS = 3000;

/** Calls PUBLIC_URL/healthz and reads what the bridge saw of X-Forwarded-For. */
export async function checkReverseProxy(config: Config): Promise<CheckResult> {
  const url = `${config.publicUrl}/healthz`;
  let seen: string | null;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.arrayBuffer();
    seen = response.headers.get(FORWARDED_HEADER);
  } catch (error) {
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return warn(
      `cannot reach ${url} from here (${reason})`,
      'run npm run doctor where it reaches the bridge through PUBLIC_URL (with the bridge running) to check TRUST_PROXY',
    );
  }
  if (seen === 'untrusted') {
    return warn(
      "X-Forwarded-For reaches the bridge from a peer TRUST_PROXY does not trust: every user shares that peer's address in the rate limits and logs",
      'set TRUST_PROXY to your reverse proxy\'s address or network (the bridge logs it: "X-Forwarded-For arrives from …"); see README "Behind a reverse proxy"',
    );
  }
  if (seen === 'trusted')
    return {
      name: NAME,
      status: 'ok',
      lines: ["the reverse proxy's X-Forwarded-For is trusted (TRUST_PROXY): the limits see each user's address"],
    };
  if (seen === 'none') {
    return {
      name: NAME,
      status: 'ok',
      lines: [
        'no X-Forwarded-For reached the bridge: no proxy in front, or one that does not forward the client address (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for)',
      ],
    };
  }
  return warn(
    `${url} answered, but not as this version of the bridge does`,
    'check that PUBLIC_URL leads to this bridge',
  );
}

function warn(found: string, fix: string): CheckResult {
  return { name: NAME, status: 'warn', lines: [found, `fix: ${fix}`] };
}
