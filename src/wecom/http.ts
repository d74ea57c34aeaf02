/**
 * One HTTP call to the WeCom server API: URL building, timeouts, JSON parsing, errcode checks.
 *
 * Transport failures, timeouts, non-200 answers and non-JSON bodies are reported as errcode -1
 * ("system busy"), which the error table handles as back-off. Outbound URLs carry `corpsecret`
 * or `access_token`, so they are never logged.
 */
import { type Dispatcher, request } from 'undici';
import { WeComApiError, type WeComApiName } from './errors.js';

/** Observer of every WeCom call (metrics); errcode 0 on success, -1 on transport failure. */
export type WeComCallObserver = (api: WeComApiName, errcode: number, seconds: number) => void;

/** Options shared by every call. */
export interface WeComHttpOptions {
  readonly apiBase: string;
  readonly dispatcher: Dispatcher;
  /** Whole-call timeout, ms (default 5000). */
  readonly timeoutMs?: number;
  readonly observe?: WeComCallObserver;
}

/** A WeCom JSON answer (keys vary by API). */
export type WeComAnswer = Record<string, unknown>;

/**
 * Calls `path` with `query` (GET) or a JSON `body` (POST); resolves with the answer when errcode
 * is absent or 0, else rejects with a {@link WeComApiError}.
 */
export async function callWeCom(
  options: WeComHttpOptions,
  api: WeComApiName,
  path: string,
  query: Record<string, string>,
  body?: unknown,
): Promise<WeComAnswer> {
  const started = performance.now();
  const url = `${options.apiBase}${path}?${new URLSearchParams(query).toString()}`;
  let answer: WeComAnswer;
  try {
    answer = await send(options, url, body);
  } catch (error) {
    options.observe?.(api, -1, (performance.now() - started) / 1000);
    throw new WeComApiError(api, -1, '', error);
  }
  const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
  options.observe?.(api, errcode, (performance.now() - started) / 1000);
  if (errcode !== 0) throw new WeComApiError(api, errcode, typeof answer.errmsg === 'string' ? answer.errmsg : '');
  return answer;
}

async function send(options: WeComHttpOptions, url: string, body: unknown): Promise<WeComAnswer> {
  // A plain timer cleared on completion, not AbortSignal.timeout(): that one keeps its timer (and
  // fires it) for the whole timeout after the call is long done.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('WeCom did not answer in time')),
    options.timeoutMs ?? 5000,
  );
  try {
    const response = await request(url, {
      method: body === undefined ? 'GET' : 'POST',
      dispatcher: options.dispatcher,
      headers: body === undefined ? JSON_ACCEPT : JSON_POST,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: controller.signal,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`WeCom answered HTTP ${response.statusCode}`);
    }
    const parsed: unknown = await response.body.json();
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('WeCom answered a non-object');
    return parsed as WeComAnswer;
  } finally {
    clearTimeout(timer);
  }
}

const JSON_ACCEPT = { accept: 'application/json' } as const;
const JSON_POST = { accept: 'application/json', 'content-type': 'application/json' } as const;
