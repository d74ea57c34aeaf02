/**
 * Records every response the bridge gives during an end-to-end test: the browser's hops (a
 * {@link TestBrowser} that keeps a copy of each response) and the relying party's back-channel
 * calls (a fetch for openid-client's `customFetch`). Responses of other servers (the WeCom
 * simulator, the relying party) are not recorded.
 */
import { TestBrowser } from '../helpers/browser.js';
import type { Recorded } from './spec.js';

/** A list of recorded bridge responses. */
export class ResponseLog {
  readonly entries: Recorded[] = [];

  constructor(private readonly issuer: string) {}

  /** Keeps a copy of `response` (method and URL of its request) if it came from the bridge. */
  async add(method: string, url: string, response: Response): Promise<void> {
    if (!url.startsWith(this.issuer)) return;
    const body = method === 'HEAD' ? '' : await response.clone().text();
    this.entries.push({ method, url, status: response.status, headers: response.headers, body });
  }

  /** `fetch` that records (for openid-client v6's `customFetch`, and for direct calls). */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const response = await fetch(input, { ...init, redirect: 'manual' });
    await this.add(method, url, response);
    return response;
  };

  /** A browser (see {@link TestBrowser}) whose every request to the bridge is recorded. */
  browser(userAgent: string, simUser: string, simUrl: string): TestBrowser {
    return new RecordingBrowser(this, userAgent, simUser, simUrl);
  }
}

class RecordingBrowser extends TestBrowser {
  constructor(
    private readonly log: ResponseLog,
    userAgent: string,
    simUser: string,
    simUrl: string,
  ) {
    super(userAgent, simUser, simUrl);
  }

  override async request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const response = await super.request(url, init);
    await this.log.add(init.method ?? 'GET', url, response);
    return response;
  }
}
