/**
 * Behind a reverse proxy (the normal sidecar deployment) without TRUST_PROXY, every request comes
 * from the proxy's address: all users share one budget of the per-address limits, and the logs
 * name the proxy instead of the person. The bridge cannot tell from its configuration, but the
 * traffic shows it: the first request that carries `X-Forwarded-For` from a peer the bridge does
 * not trust is logged as a warning naming the peer and the variable to set. Once per process.
 */
import type { FastifyInstance } from 'fastify';
import { forwardedFor } from './client-address.js';

/** Adds the once-per-process warning about X-Forwarded-For from an untrusted peer. */
export function installProxyWarning(app: FastifyInstance): void {
  let warned = false;
  app.addHook('onRequest', (request, _reply, done) => {
    if (warned || forwardedFor(request) !== 'untrusted') return done();
    const peer = request.socket.remoteAddress;
    warned = true;
    request.log.warn(
      { peer },
      `X-Forwarded-For arrives from ${peer}, which TRUST_PROXY does not trust: every user behind that proxy shares its address in the rate limits and logs. If ${peer} is your reverse proxy, set TRUST_PROXY=${peer} (or its network as a CIDR); if it is not, someone is sending the header themselves (it is ignored).`,
    );
    done();
  });
}
