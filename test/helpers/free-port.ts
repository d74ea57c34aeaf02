/** A TCP port that is free right now on `host` (for tests that start servers and processes). */
import { createServer } from 'node:net';

/** Asks the OS for a free port and releases it; the caller binds it right after. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
