/**
 * Outbound HTTP to the provider: a timeout on every call, JSON answers, and a network failure
 * turned into the "provider unreachable" page instead of an exception.
 */
import { SignInError } from './errors.js';

/** No call to the provider may hold a sign-in longer than this. */
const TIMEOUT_MS = 10_000;

/** A provider's answer: its status and its JSON body (undefined when the body is not JSON). */
export interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Fetches `url` and parses its JSON body.
 *
 * @param what names the call in the error (discovery, token, userinfo)
 */
export async function fetchJson(url: string, init: RequestInit, what: string): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { accept: 'application/json', ...init.headers },
    });
  } catch (error) {
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new SignInError('provider_unreachable', `${what} request to ${new URL(url).origin} failed: ${reason}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: undefined };
  }
}
