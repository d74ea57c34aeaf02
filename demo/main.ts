/**
 * `npm run demo`: the whole login on loopback with no configuration at all: the WeCom simulator,
 * the bridge (memory store, generated key in a temporary DATA_DIR), and the sample relying party.
 * The simulator sends its contact events to the bridge's event server and the bridge its logout
 * tokens to the relying party, so "Member leaves the company (simulate)" signs the person out.
 * Prints the URL to open.
 */
import { startWeComSimulator } from '../sim/server.js';
import { loadConfig } from '../src/config/load.js';
import { handleSignals, startServer } from '../src/server.js';
import { demoBridgeEnv, demoEventServer } from './bridge-env.js';
import { freePort } from './free-port.js';
import { buildDemoRp } from './rp.js';

const HOST = '127.0.0.1';
const CLIENT_ID = 'demo-rp';
const CLIENT_SECRET = 'demo-rp-secret-not-for-production';

async function main(): Promise<void> {
  const [bridgePort, rpPort] = [await freePort(), await freePort()];
  const bridgeUrl = `http://${HOST}:${bridgePort}`;
  const rpUrl = `http://${HOST}:${rpPort}`;
  const events = demoEventServer();
  const sim = await startWeComSimulator({
    host: HOST,
    trustedDomains: [`${HOST}:${bridgePort}`],
    eventTarget: { url: `${bridgeUrl}/wecom/events`, ...events },
  });
  const config = loadConfig(
    demoBridgeEnv(
      HOST,
      bridgePort,
      sim.url,
      {
        id: CLIENT_ID,
        secret: CLIENT_SECRET,
        redirectUri: `${rpUrl}/callback`,
        postLogoutRedirectUri: `${rpUrl}/`,
        backchannelLogoutUri: `${rpUrl}/backchannel-logout`,
      },
      events,
    ),
  );
  const bridge = await startServer(config);
  const rp = await buildDemoRp({
    issuer: bridgeUrl,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    url: rpUrl,
    simulatorUrl: sim.url,
  });
  await rp.listen({ host: HOST, port: rpPort });
  handleSignals(bridge, async () => {
    await rp.close();
    await sim.close();
  });
  process.stdout.write(
    [
      '',
      'wecom-oidc-bridge demo is running:',
      `  WeCom simulator   ${sim.url}`,
      `  bridge (issuer)   ${bridgeUrl}`,
      `  relying party     ${rpUrl}`,
      '',
      `Open ${rpUrl}/ and click "Sign in with WeCom".`,
      'Signed in, "Member leaves the company (simulate)" deletes the member in the simulator, which sends',
      "WeCom's delete_user event to the bridge; the bridge signs them out of the relying party (back-channel",
      `logout). The same by hand: curl -X DELETE ${sim.url}/_sim/members/<userid>`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
