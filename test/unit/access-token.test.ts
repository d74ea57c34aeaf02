/**
 * The shared WeCom token's rules that matter with several replicas, with a fake fetcher and one
 * memory store standing in for Redis.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';
import { AccessTokenProvider, type FetchedToken } from '../../src/wecom/access-token.js';

/** A fake gettoken: answers from `answers` in order, counting calls. */
function fetcher(answers: FetchedToken[]): { fetch: () => Promise<FetchedToken>; calls: () => number } {
  let calls = 0;
  return {
    fetch: async () => answers[Math.min(calls++, answers.length - 1)]!,
    calls: () => calls,
  };
}

function replica(
  store: Store,
  fetch: () => Promise<FetchedToken>,
  now: () => number,
  sealSecret = 'the-app-secret',
): AccessTokenProvider {
  return new AccessTokenProvider({
    fetchToken: fetch,
    store,
    appKey: 'corp:1000002',
    sealSecret,
    now,
    lockWaitMs: 500,
  });
}

describe('shared WeCom token', () => {
  it('is stored sealed: the store never holds the token, and another secret cannot open it', async () => {
    const now = 1_700_000_000_000;
    const store = new MemoryStore({ now: () => now, sweepIntervalMs: 0 });
    const wecom = fetcher([
      { token: 'THE-ACCESS-TOKEN', expiresIn: 7200 },
      { token: 'OTHER-APP-TOKEN', expiresIn: 7200 },
    ]);
    expect(await replica(store, wecom.fetch, () => now).get()).toBe('THE-ACCESS-TOKEN');
    const stored = JSON.stringify(await store.get('wecom-token:corp:1000002'));
    expect(stored).not.toContain('THE-ACCESS-TOKEN');
    expect(stored).toContain('sealed');
    // Same secret: shared without a fetch. Another secret: the copy is useless, a fetch follows.
    expect(await replica(store, wecom.fetch, () => now).get()).toBe('THE-ACCESS-TOKEN');
    expect(wecom.calls()).toBe(1);
    expect(await replica(store, wecom.fetch, () => now, 'another-secret').get()).toBe('OTHER-APP-TOKEN');
    expect(wecom.calls()).toBe(2);
    await store.close();
  });

  it('keeps the first expiry when an early refresh brings back the same token, and asks no more before it', async () => {
    let now = 1_700_000_000_000;
    const store = new MemoryStore({ now: () => now, sweepIntervalMs: 0 });
    const wecom = fetcher([
      { token: 'T1', expiresIn: 7200 },
      { token: 'T1', expiresIn: 7200 }, // WeCom's answer five minutes early: same token, a misleading full lifetime
      { token: 'T2', expiresIn: 7200 },
    ]);
    const a = replica(store, wecom.fetch, () => now);
    const b = replica(store, wecom.fetch, () => now);
    expect(await a.get()).toBe('T1');
    now += 6950 * 1000;
    expect(await b.get()).toBe('T1');
    expect(wecom.calls()).toBe(2);
    now += 240 * 1000; // 10 s before the real expiry: no replica asks again.
    expect([await a.get(), await b.get()]).toEqual(['T1', 'T1']);
    expect(wecom.calls()).toBe(2);
    now += 10 * 1000; // The real expiry (not 6950 + 7200 s): a new token.
    expect(await b.get()).toBe('T2');
    expect(await a.get()).toBe('T2');
    expect(wecom.calls()).toBe(3);
    await store.close();
  });

  it('never releases the fetch lock of another replica (its own expired while WeCom was slow)', async () => {
    let now = 1_700_000_000_000;
    const store = new MemoryStore({ now: () => now, sweepIntervalMs: 0 });
    let answer: (token: FetchedToken) => void = () => {};
    const slow = new Promise<FetchedToken>((resolve) => (answer = resolve));
    const a = replica(
      store,
      () => slow,
      () => now,
    );
    const pending = a.get();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.get('wecom-token-lock:corp:1000002')).toMatchObject({ owner: expect.any(String) });
    now += 16_000; // A's lock expires; another replica takes the lock.
    expect(await store.claim('wecom-token-lock:corp:1000002', { owner: 'replica-b' }, 15)).toBe(true);
    answer({ token: 'T1', expiresIn: 7200 });
    expect(await pending).toBe('T1');
    expect(await store.get('wecom-token-lock:corp:1000002')).toEqual({ owner: 'replica-b' });
    await store.close();
  });

  it('never removes a newer token another replica stored when its own old token is rejected', async () => {
    const now = 1_700_000_000_000;
    const store = new MemoryStore({ now: () => now, sweepIntervalMs: 0 });
    const wecom = fetcher([
      { token: 'T1', expiresIn: 7200 },
      { token: 'T2', expiresIn: 7200 },
    ]);
    const a = replica(store, wecom.fetch, () => now);
    const b = replica(store, wecom.fetch, () => now);
    expect([await a.get(), await b.get()]).toEqual(['T1', 'T1']);
    // WeCom rejects T1 on replica A first: A fetches T2 and shares it.
    await a.invalidate('T1');
    expect(await a.get()).toBe('T2');
    // Then on replica B: it adopts T2 without another gettoken.
    await b.invalidate('T1');
    expect(await b.get()).toBe('T2');
    expect(wecom.calls()).toBe(2);
    // The store still holds T2: a replica started now shares it without a gettoken.
    expect(await replica(store, wecom.fetch, () => now).get()).toBe('T2');
    expect(wecom.calls()).toBe(2);
    await store.close();
  });

  it('lets one replica fetch while the others wait for its token', async () => {
    const now = 1_700_000_000_000;
    const store = new MemoryStore({ now: () => now, sweepIntervalMs: 0 });
    let release: () => void = () => {};
    let calls = 0;
    const slow = async (): Promise<FetchedToken> => {
      calls += 1;
      await new Promise<void>((done) => (release = done));
      return { token: 'T1', expiresIn: 7200 };
    };
    const replicas = Array.from({ length: 4 }, () => replica(store, slow, () => now));
    const pending = Promise.all(replicas.map((r) => r.get()));
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await pending).toEqual(['T1', 'T1', 'T1', 'T1']);
    expect(calls).toBe(1);
    await store.close();
  });
});
