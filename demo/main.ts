/**
 * `npm run demo`: the whole login on loopback with no configuration at all: the WeCom simulator,
 * the bridge (memory store, generated key in a temporary DATA_DIR), and the sample relying party.
 * Prints the URL to open.
 */
import { startWeComSimulator } from '../sim/server.js';
import { loadConfig } from '../src/config/load.js';
import { handleSignals, startServer } from '../src/server.js';
import { demoBridgeEnv } from './bridge-env.js';
import { freePort } from './free-port.js';
import { buildDemoRp } from './rp.js';

const HOST = '127.0.0.1';
const CLIENT_ID = 'demo-rp';
const CLIENT_SECRET = 'demo-rp-secret-not-for-production';

async function main(): Promise<void> {
  const [bridgePort, rpPort] = [await freePort(), await freePort()];
  const bridgeUrl = `http://${HOST}:${bridgePort}`;
  const rpUrl = `http://${HOST}:${rpPort}`;
  const sim = await startWeComSimulator({ host: HOST, trustedDomains: [`${HOST}:${bridgePort}`] });
  const config = loadConfig(
    demoBridgeEnv(HOST, bridgePort, sim.url, {
      id: CLIENT_ID,
      secret: CLIENT_SECRET,
      redirectUri: `${rpUrl}/callback`,
      postLogoutRedirectUri: `${rpUrl}/`,
    }),
  );
  const bridge = await startServer(config);
  const rp = await buildDemoRp({ issuer: bridgeUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, url: rpUrl });
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
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
