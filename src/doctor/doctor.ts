/**
 * `npm run doctor`: loads the configuration exactly as `npm start` does, checks the signing key,
 * Redis, WeCom and what the bridge sees behind its reverse proxy, and prints what to paste into the WeCom admin console and into NocoBase.
 * The exit code is 1 when the configuration is invalid or a check fails.
 */
import { ConfigError, type Env, formatConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { createWeComDispatcher, describeProxy } from '../http/outbound.js';
import { type CheckResult, checkRedis, checkSigningKey, checkWeCom } from './checks.js';
import { checkReverseProxy } from './proxy-check.js';
import { pasteGuide, type SettingsSection } from './settings.js';

/** Where the doctor writes. */
export interface DoctorOutput {
  out(text: string): void;
  err(text: string): void;
}

const MARK: Record<CheckResult['status'], string> = { ok: '[ ok ]', warn: '[warn]', fail: '[FAIL]' };

/** Runs every check on `env` and prints the report; resolves with the exit code. */
export async function runDoctor(env: Env, output: DoctorOutput): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.err(`${formatConfigError(error)}\n`);
    return 1;
  }
  const results = await runChecks(config);
  output.out(report(config, results));
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}

async function runChecks(config: Config): Promise<CheckResult[]> {
  const dispatcher = createWeComDispatcher(config.outboundProxy);
  try {
    const configuration: CheckResult = { name: 'configuration', status: 'ok', lines: [describeConfig(config)] };
    return [
      configuration,
      await checkSigningKey(config),
      await checkRedis(config),
      await checkWeCom(config, dispatcher),
      await checkReverseProxy(config),
    ];
  } finally {
    await dispatcher.close();
  }
}

function describeConfig(config: Config): string {
  const clients = config.clients.map((client) => client.clientId).join(', ');
  const proxy = config.outboundProxy?.httpsProxy ?? config.outboundProxy?.httpProxy;
  return [
    `issuer ${config.publicUrl}`,
    `clients ${clients}`,
    `store ${config.redis ? 'redis' : 'memory'}`,
    `login mode ${config.wecom.loginMode}`,
    ...(proxy ? [`WeCom calls via proxy ${describeProxy(proxy)}`] : []),
  ].join('; ');
}

function report(config: Config, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.name.length));
  const lines = ['wecom-oidc-bridge doctor', '', 'Checks'];
  for (const result of results) {
    const [first = '', ...rest] = result.lines;
    lines.push(`  ${MARK[result.status]} ${result.name.padEnd(width)}  ${first}`);
    for (const line of rest) lines.push(`  ${' '.repeat(6)} ${' '.repeat(width)}  ${line}`);
  }
  const egressIp = results.find((result) => result.egressIp)?.egressIp;
  for (const section of pasteGuide(config, egressIp)) lines.push('', ...renderSection(section));
  const failed = results.filter((result) => result.status === 'fail').map((result) => result.name);
  lines.push(
    '',
    failed.length === 0
      ? 'All checks passed.'
      : `Failed: ${failed.join(', ')}. Fix the lines marked [FAIL] and run npm run doctor again.`,
  );
  return `${lines.join('\n')}\n`;
}

/** Each value on its own line: easy to copy, and no column to misalign with Chinese labels. */
function renderSection(section: SettingsSection): string[] {
  return [
    `${section.title}:`,
    ...section.settings.flatMap((setting) => [`  ${setting.field}:`, `      ${setting.value}`]),
    ...section.notes.map((note) => `  Note: ${note}`),
  ];
}
