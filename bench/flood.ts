/**
 * `--flood`: authorizations that are never completed, as a script (or an attacker) that opens the
 * login URL and never returns would send. Each one makes the bridge store a login transaction;
 * the store must stay bounded and the process must not grow without limit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Origin } from './http.js';
import type { LoginPlan } from './login.js';
import { WECOM_USER_AGENT } from './login.js';
import { memoryMb } from './proc.js';
import { round3 } from './stats.js';

/** What a flood did to the bridge. */
export interface FloodFigures {
  readonly requests: number;
  readonly accepted: number;
  readonly errors: number;
  readonly seconds: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly rssAddedMb: number;
  /** Login transactions held afterwards (memory store: the metrics gauge; Redis: a key count). */
  readonly storedLogins: number | undefined;
}

/**
 * Sends `count` authorization requests over `connections` connections, each from a new browser
 * (no cookies), and reads the bridge's RSS before and after (after a short pause for the GC).
 */
export async function flood(
  plan: LoginPlan,
  bridgePid: number,
  options: { count: number; connections: number; storedLogins: () => Promise<number | undefined> },
): Promise<Omit<FloodFigures, 'storedLogins'> & { storedLogins: number | undefined }> {
  const rssBefore = memoryMb(bridgePid).rss;
  const started = Date.now();
  let sent = 0;
  let accepted = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (sent < options.count) {
        sent += 1;
        const ok = await authorizeOnce(plan.bridge, plan.next().authorizePath);
        if (ok) accepted += 1;
        else errors += 1;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  await sleep(1000);
  const rssAfter = memoryMb(bridgePid).rss;
  return {
    requests: sent,
    accepted,
    errors,
    seconds: round3(seconds),
    rssBeforeMb: round3(rssBefore),
    rssAfterMb: round3(rssAfter),
    rssAddedMb: round3(rssAfter - rssBefore),
    storedLogins: await options.storedLogins(),
  };
}

async function authorizeOnce(bridge: Origin, path: string): Promise<boolean> {
  try {
    const answer = await bridge.send({ path, headers: { 'user-agent': WECOM_USER_AGENT } });
    return answer.status === 302;
  } catch {
    return false;
  }
}

/** Reads a gauge's value from Prometheus text (`name{namespace="login"} 123`), if present. */
export function gaugeValue(metricsText: string, name: string, labels: string): number | undefined {
  const line = metricsText.split('\n').find((text) => text.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
