/**
 * The outbound proxy: WeCom server-API calls (and only they) go through HTTP(S)_PROXY, NO_PROXY
 * exempts hosts, and nothing else in the process is affected (no global dispatcher).
 */

import { Agent, EnvHttpProxyAgent, getGlobalDispatcher, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createWeComDispatcher, describeProxy } from '../../src/http/outbound.js';
import { validEnv } from '../helpers/env.js';
import { ForwardProxy } from '../helpers/forward-proxy.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { nocobaseLogin } from '../helpers/rp.js';

let proxy: ForwardProxy;
let proxyUrl: string;
let h: Harness | undefined;

beforeEach(async () => {
  proxy = new ForwardProxy();
  proxyUrl = await proxy.listen();
});

afterEach(async () => {
  await h?.close();
  h = undefined;
  await proxy.close();
});

describe('WeCom calls through a forward proxy', () => {
  it('sends gettoken and the login APIs through HTTP_PROXY, and nothing else', async () => {
    h = await startHarness({ env: { HTTP_PROXY: proxyUrl } });
    const login = await nocobaseLogin(h, h.browser('zhangsan'));
    expect(login.tokenSet?.claims().sub).toBe('zhangsan');
    expect(proxy.seen).toEqual(['/cgi-bin/gettoken', '/cgi-bin/auth/getuserinfo', '/cgi-bin/user/get']);
    // The browser's visits to the (simulated) WeCom pages and the RP's calls to the bridge went direct.
    expect(h.sim.state.calls.gettoken).toBe(1);
    // Never global: this process's own fetches do not use the proxy.
    await fetch(`${h.sim.url}/_sim/stats`);
    expect(proxy.seen).toHaveLength(3);
    expect(getGlobalDispatcher()).not.toBeInstanceOf(EnvHttpProxyAgent);
  });

  it('reaches NO_PROXY hosts directly', async () => {
    h = await startHarness({ env: { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, NO_PROXY: 'example.com,127.0.0.1' } });
    const login = await nocobaseLogin(h, h.browser('lisi'));
    expect(login.tokenSet?.claims().sub).toBe('lisi');
    expect(proxy.seen).toEqual([]);
  });

  it('tunnels https WeCom bases with CONNECT (TLS stays end to end)', async () => {
    const dispatcher = createWeComDispatcher({ httpsProxy: proxyUrl });
    // Nothing listens behind the tunnel's target: what counts is that the proxy was asked.
    await request('https://qyapi.weixin.qq.example/cgi-bin/gettoken', {
      dispatcher,
      signal: AbortSignal.timeout(3000),
    }).catch(() => undefined);
    expect(proxy.seen).toEqual(['CONNECT qyapi.weixin.qq.example:443']);
    await dispatcher.close();
  });
});

describe('proxy configuration', () => {
  it('reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY, the lowercase spelling winning', () => {
    expect(loadConfig(validEnv()).outboundProxy).toBeUndefined();
    expect(createWeComDispatcher(undefined)).toBeInstanceOf(Agent);
    const config = loadConfig(
      validEnv({
        HTTPS_PROXY: 'http://upper:3128',
        https_proxy: 'http://lower:3128',
        HTTP_PROXY: 'http://plain:8080',
        no_proxy: '.internal',
      }),
    );
    expect(config.outboundProxy).toEqual({
      httpsProxy: 'http://lower:3128',
      httpProxy: 'http://plain:8080',
      noProxy: '.internal',
    });
    expect(createWeComDispatcher(config.outboundProxy)).toBeInstanceOf(EnvHttpProxyAgent);
  });

  it('refuses a proxy that is not a URL, and never prints its credentials', () => {
    expect(() => loadConfig(validEnv({ HTTPS_PROXY: 'proxy.internal:3128' }))).toThrow(
      /HTTPS_PROXY: must be a proxy URL/,
    );
    expect(describeProxy('http://user:secret@proxy.internal:3128')).toBe('http://proxy.internal:3128');
  });
});
