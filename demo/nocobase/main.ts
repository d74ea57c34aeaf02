/**
 * `npm run demo:nocobase`: the demo with a real NocoBase in place of the sample relying party.
 * The WeCom simulator and the bridge on loopback, NocoBase (installed into the cache on first use)
 * on a fresh PostgreSQL database, the adapter uploaded through NocoBase's plugin manager and an
 * authenticator "wecom" configured. The simulator sends its contact events to the bridge, and the
 * bridge its logout tokens to the plugin (`/api/wecomBridge:backchannelLogout`), so a member deleted
 * in the simulator is signed out of NocoBase. Prints the NocoBase URL to open and the command that
 * makes a member leave; Ctrl+C stops everything and drops the database.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWeComSimulator } from '../../sim/server.js';
import { loadConfig } from '../../src/config/load.js';
import { handleSignals, startServer } from '../../src/server.js';
import { demoBridgeEnv, demoEventServer } from '../bridge-env.js';
import { freePort } from '../free-port.js';
import { NocoBaseApi } from './api.js';
import { ensureNocoBase, NOCOBASE_VERSION } from './install.js';
import { postgresAvailable, ROOT_ACCOUNT, startNocoBase } from './instance.js';

const HOST = '127.0.0.1';
const CLIENT = { id: 'nocobase', secret: 'demo-nocobase-secret-not-for-production' };
const PLUGIN_DIR = fileURLToPath(new URL('../../../dist/nocobase-plugin', import.meta.url));

async function main(): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (!postgresAvailable())
    throw new Error(
      'PostgreSQL does not answer on 127.0.0.1:5432 as user postgres (set PGHOST, PGPORT, PGUSER for another server)',
    );
  const install = ensureNocoBase(say);
  const [bridgePort, nocobasePort] = [await freePort(), await freePort()];
  const bridgeUrl = `http://${HOST}:${bridgePort}`;
  const nocobaseUrl = `http://${HOST}:${nocobasePort}`;
  say('bridge and WeCom simulator: starting…');
  const events = demoEventServer();
  const sim = await startWeComSimulator({
    host: HOST,
    trustedDomains: [`${HOST}:${bridgePort}`],
    eventTarget: { url: `${bridgeUrl}/wecom/events`, ...events },
  });
  const bridge = await startServer(
    loadConfig(
      demoBridgeEnv(
        HOST,
        bridgePort,
        sim.url,
        {
          ...CLIENT,
          redirectUri: `${nocobaseUrl}/api/wecomBridge:redirect`,
          postLogoutRedirectUri: `${nocobaseUrl}/signin,${nocobaseUrl}/v/signin`,
          backchannelLogoutUri: `${nocobaseUrl}/api/wecomBridge:backchannelLogout`,
        },
        events,
      ),
    ),
  );
  const nocobase = await startNocoBase(install, {
    port: nocobasePort,
    database: `wob_demo_${process.pid}`,
    progress: say,
  });
  handleSignals(bridge, async () => {
    await nocobase.stop();
    await sim.close();
  });
  await configure(nocobaseUrl, bridgeUrl).catch(async (error: unknown) => {
    await nocobase.stop();
    throw error;
  });
  say(
    [
      '',
      `wecom-oidc-bridge demo with NocoBase ${NOCOBASE_VERSION} is running:`,
      `  WeCom simulator   ${sim.url}`,
      `  bridge (issuer)   ${bridgeUrl}`,
      `  NocoBase          ${nocobaseUrl}   (root: ${ROOT_ACCOUNT.account} / ${ROOT_ACCOUNT.password})`,
      '',
      `Open ${nocobaseUrl}/signin and click "WeCom" (the authenticator's button).`,
      '',
      'A member leaves the company: signed in as zhangsan (or another userid: put it in the URL), run',
      `  curl -X DELETE ${sim.url}/_sim/members/zhangsan`,
      "The simulator deletes the member and sends WeCom's delete_user event to the bridge, which POSTs a",
      "logout token to NocoBase (/api/wecomBridge:backchannelLogout): the member's NocoBase sessions end,",
      'their next request to NocoBase is answered 401, and reloading the page shows the sign-in page.',
      '',
      'Press Ctrl+C to stop (the demo database is dropped).',
      '',
    ].join('\n'),
  );
}

/** Uploads and enables the adapter, then adds the authenticator "wecom" (auto sign-up, auto login in WeCom). */
async function configure(nocobaseUrl: string, bridgeUrl: string): Promise<void> {
  const api = new NocoBaseApi(nocobaseUrl);
  await api.signInRoot();
  process.stdout.write('NocoBase: uploading and enabling the adapter (plugin manager)…\n');
  const tgz = readdirSync(PLUGIN_DIR).find((file) => file.endsWith('.tgz'));
  if (!tgz) throw new Error(`no plugin package in ${PLUGIN_DIR}: run "npm run build:nocobase-plugin"`);
  await api.uploadAndEnable(join(PLUGIN_DIR, tgz));
  const created = await api.createAuthenticator('wecom', {
    issuer: bridgeUrl,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    autoSignup: true,
    autoLoginInWeCom: true,
  });
  if (created.status !== 200) throw new Error(`creating the authenticator failed: ${JSON.stringify(created.body)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo:nocobase failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
