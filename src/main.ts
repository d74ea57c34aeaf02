/**
 * Entry point: `npm start` / `node dist/src/main.js`.
 *
 * A bad configuration stops the process before it listens: exit code 1 and one message listing
 * every problem, no stack trace.
 */
import { ConfigError, formatConfigError, loadConfig, withDotEnv } from './config/load.js';
import { KeySetupError } from './keys/load.js';
import { handleSignals, startServer } from './server.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(withDotEnv(process.env));
  } catch (error) {
    if (error instanceof ConfigError) stop(formatConfigError(error));
    throw error;
  }
  try {
    handleSignals(await startServer(config));
  } catch (error) {
    if (error instanceof KeySetupError)
      stop(`wecom-oidc-bridge: Invalid configuration (1 problem):\n  - ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      stop(
        `wecom-oidc-bridge: cannot listen on ${config.host}:${config.port} (${code}); change HOST/PORT or stop the other process`,
      );
    }
    throw error;
  }
}

function stop(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `wecom-oidc-bridge: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
