/**
 * The floor: a bare fastify server answering the four hops with the bridge's HTTP exchanges and WeCom
 * calls (to a simulator of its own) and one jose RS256 signature; it checks and stores nothing (its
 * code and access token are the member's userid).
 *   node dist/bench/floor.js --port P --sim <simulator URL> --redirect-uri <the RP's>
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { Agent, request } from 'undici';

const { values } = parseArgs({
  options: { port: { type: 'string' }, sim: { type: 'string' }, 'redirect-uri': { type: 'string' } },
});
const [sim, redirectUri] = [values.sim!, values['redirect-uri']!];
// The simulator's app, as the bridge is configured in bench/services.ts.
const corp = 'corpid=ww5imulat0rc0rp1d&corpsecret=sim-secret-0123456789';
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });

/** One WeCom API call (keep-alive undici, JSON answer), as src/wecom/http.ts makes them. */
async function wecom(path: string, body?: unknown): Promise<Record<string, string>> {
  const post =
    body === undefined
      ? {}
      : { method: 'POST' as const, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  const json = (await (await request(`${sim}${path}`, { dispatcher, ...post })).body.json()) as Record<
    string,
    string
  > & { errcode?: number };
  if (json.errcode) throw new Error(`WeCom errcode ${json.errcode} on ${path}`);
  return json;
}

const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
const token = (await wecom(`/cgi-bin/gettoken?${corp}`)).access_token!;
const app = Fastify({ logger: false });
let origin = '';
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_, body, done) =>
  done(null, new URLSearchParams(body as string)),
);

app.get<{ Querystring: { state: string } }>('/authorize', async (incoming, reply) => {
  const callback = encodeURIComponent(`${origin}/wecom/callback`);
  const query = `appid=ww5imulat0rc0rp1d&redirect_uri=${callback}&response_type=code&scope=snsapi_privateinfo&state=${incoming.query.state}&agentid=1000002`;
  return reply.redirect(`${sim}/connect/oauth2/authorize?${query}#wechat_redirect`);
});

// The bridge's three WeCom calls of a login: getuserinfo, getuserdetail, user/get.
app.get<{ Querystring: { code: string; state: string } }>('/wecom/callback', async (incoming, reply) => {
  const user = await wecom(
    `/cgi-bin/auth/getuserinfo?access_token=${token}&code=${encodeURIComponent(incoming.query.code)}`,
  );
  await wecom(`/cgi-bin/auth/getuserdetail?access_token=${token}`, { user_ticket: user.user_ticket });
  await wecom(`/cgi-bin/user/get?access_token=${token}&userid=${user.userid}`);
  return reply.redirect(`${redirectUri}?code=${user.userid}&state=${incoming.query.state}`);
});

app.post<{ Body: URLSearchParams }>('/token', async (incoming) => {
  const sub = incoming.body.get('code')!;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: origin,
    sub,
    aud: 'bench-rp',
    exp: now + 3600,
    iat: now,
    auth_time: now,
    nonce: 'n0123456789',
    sid: 'Zm9vYmFyYmF6cXV4cXV1eA',
  };
  const idToken = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'floor', typ: 'JWT' })
    .sign(privateKey);
  return { access_token: sub, token_type: 'Bearer', expires_in: 3600, id_token: idToken };
});

app.get('/userinfo', async (incoming) => ({ sub: incoming.headers.authorization?.slice('Bearer '.length) }));

origin = await app.listen({ host: '127.0.0.1', port: Number(values.port ?? 0) });
process.stdout.write(`floor server listening on ${origin}\n`);
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => dispatcher.close())
      .finally(() => process.exit(0)),
);
