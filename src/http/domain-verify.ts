/**
 * `GET /WW_verify_<token>.txt`: WeCom's domain ownership file, from `WECOM_DOMAIN_VERIFY_FILE`.
 *
 * WeCom fetches it from the root of the domain it is asked to trust. The route lives at the
 * bridge's root like every other route, so it answers both `/WW_verify_….txt` and, under a
 * path-prefixed PUBLIC_URL, `/<prefix>/WW_verify_….txt`; the reverse proxy must send the root
 * path to the bridge (see docs/wecom-setup.md). The content is public by nature (anyone can fetch
 * it from the domain), so it is served as is; any other name is a plain 404.
 */
import type { FastifyInstance } from 'fastify';
import type { BridgeContext } from '../context.js';
import { BridgeError } from '../errors/bridge-error.js';

/** Registers the verification file route (always present; 404 unless the name is configured). */
export function registerDomainVerify(app: FastifyInstance, context: BridgeContext): void {
  const files = new Map(context.config.domainVerifyFiles.map((file) => [file.name, file.content]));
  app.get<{ Params: { token: string } }>(
    '/WW_verify_:token.txt',
    { config: { errorMode: 'json' } },
    async (request, reply) => {
      const content = files.get(`WW_verify_${request.params.token}.txt`);
      if (content === undefined) {
        throw new BridgeError({
          code: 'invalid_request',
          status: 404,
          reason: 'not_found',
          description: 'There is no such endpoint',
        });
      }
      return reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(content);
    },
  );
}
