/**
 * Runs the WeCom simulator as its own process (benchmarks, manual testing):
 *
 *   node dist/sim/main.js [--host 127.0.0.1] [--port 9001] [--latency 5] [--members 5000]
 *                         [--trusted-domain host:port]… [--trusted-ip a.b.c.d]… [--default-user zhangsan]
 *                         [--event-url http://127.0.0.1:8080/wecom/events --event-token T --event-aes-key K]
 *
 * The event server (where contact changes go, as WeCom sends them) may also come from the
 * environment: SIM_EVENT_URL, SIM_EVENT_TOKEN, SIM_EVENT_AES_KEY (all three, or none).
 * Prints one line `WeCom simulator listening on <url>`; stops cleanly on SIGTERM/SIGINT.
 * `--members N` adds N generated members (user00001…) to the fixtures.
 */
import { parseArgs } from 'node:util';
import type { SimOptions } from './config.js';
import { FIXTURE_MEMBERS, generateMembers } from './directory.js';
import type { EventTarget } from './events.js';
import { startWeComSimulator } from './server.js';

/** The options described by the command line; throws a readable message on a bad value. */
function optionsFromArgs(args: readonly string[]): SimOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      latency: { type: 'string', default: '0' },
      members: { type: 'string', default: '0' },
      'trusted-domain': { type: 'string', multiple: true },
      'trusted-ip': { type: 'string', multiple: true },
      'default-user': { type: 'string' },
      'event-url': { type: 'string', default: process.env.SIM_EVENT_URL },
      'event-token': { type: 'string', default: process.env.SIM_EVENT_TOKEN },
      'event-aes-key': { type: 'string', default: process.env.SIM_EVENT_AES_KEY },
    },
  });
  return {
    host: values.host,
    port: wholeNumber('--port', values.port, 65_535),
    latencyMs: wholeNumber('--latency', values.latency, 600_000),
    members: [...FIXTURE_MEMBERS, ...generateMembers(wholeNumber('--members', values.members, 99_999))],
    trustedDomains: values['trusted-domain'] ?? [],
    trustedIps: values['trusted-ip'] ?? [],
    defaultUser: values['default-user'],
    eventTarget: eventTarget(values['event-url'], values['event-token'], values['event-aes-key']),
  };
}

/** The event server from its three settings: all of them, or none. */
function eventTarget(
  url: string | undefined,
  token: string | undefined,
  encodingAesKey: string | undefined,
): EventTarget | undefined {
  const given = [url, token, encodingAesKey].filter((value) => value !== undefined && value !== '');
  if (given.length === 0) return undefined;
  if (given.length !== 3)
    throw new Error('--event-url, --event-token and --event-aes-key (SIM_EVENT_*) go together: give all three');
  if (!URL.canParse(url as string)) throw new Error(`--event-url must be an http(s) URL, got "${url}"`);
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey as string))
    throw new Error('--event-aes-key must be the 43-character EncodingAESKey');
  return { url: url as string, token: token as string, encodingAesKey: encodingAesKey as string };
}

function wholeNumber(flag: string, value: string, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > max)
    throw new Error(`${flag} must be a whole number from 0 to ${max}, got "${value}"`);
  return number;
}

async function main(): Promise<void> {
  let options: SimOptions;
  try {
    options = optionsFromArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`wecom simulator: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const simulator = await startWeComSimulator(options);
  process.stdout.write(`WeCom simulator listening on ${simulator.url}\n`);
  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
