import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { storeConformance } from './conformance.js';

// One fake clock shared by every store of the suite, as replicas share Redis' clock.
let clock = 1_700_000_000_000;
const shared = new MemoryStore({ now: () => clock, sweepIntervalMs: 0 });

storeConformance({
  name: 'memory',
  // Several "replicas" of one process share the same map: hand out views of one store.
  make: async () => ({
    set: (k, v, t) => shared.set(k, v, t),
    get: (k) => shared.get(k),
    getMany: (k) => shared.getMany(k),
    take: (k) => shared.take(k),
    takeIf: (k, f, e, m) => shared.takeIf(k, f, e, m),
    setMany: (w) => shared.setMany(w),
    claim: (k, v, t, w, d) => shared.claim(k, v, t, w, d),
    hit: (c, w) => shared.hit(c, w),
    reserve: (c, h) => shared.reserve(c, h),
    release: (k, h) => shared.release(k, h),
    keep: (k, h) => shared.keep(k, h),
    delete: (k) => shared.delete(k),
    addToSet: (k, i, t) => shared.addToSet(k, i, t),
    setItems: (k) => shared.setItems(k),
    enqueue: (q, i, v, d, m) => shared.enqueue(q, i, v, d, m),
    dequeue: (q, n, l) => shared.dequeue(q, n, l),
    reschedule: (q, i, v, d) => shared.reschedule(q, i, v, d),
    finish: (q, i) => shared.finish(q, i),
    ping: () => shared.ping(),
    close: async () => {},
  }),
  advance: async (seconds) => {
    clock += seconds * 1000;
  },
});

describe('MemoryStore bounds', () => {
  it('caps each namespace and evicts its oldest entries only', async () => {
    const store = new MemoryStore({ maxEntriesPerNamespace: 3, sweepIntervalMs: 0 });
    await store.set('session:keep', 's', 60);
    for (let i = 0; i < 10; i += 1) await store.set(`login:${i}`, i, 60);
    expect(store.sizes()).toEqual({ session: 1, login: 3 });
    expect(await store.getMany(['login:6', 'login:7', 'login:8', 'login:9'])).toEqual([undefined, 7, 8, 9]);
    expect(await store.get('session:keep')).toBe('s');
    await store.close();
  });

  it('caps the bytes of each namespace too, so large entries cannot exhaust memory', async () => {
    const store = new MemoryStore({ maxBytesPerNamespace: 10_000, sweepIntervalMs: 0 });
    await store.set('session:keep', 's', 60);
    // A flood of login transactions with long (attacker-chosen) state values.
    for (let i = 0; i < 50; i += 1) await store.set(`login:${i}`, { state: 'x'.repeat(1000) }, 60);
    const usage = store.usage();
    expect(usage.login!.bytes).toBeLessThanOrEqual(10_000);
    expect(usage.login!.entries).toBe(9);
    expect(await store.get('login:40')).toBeUndefined();
    expect(await store.get('login:49')).toEqual({ state: 'x'.repeat(1000) });
    expect(await store.get('session:keep')).toBe('s');
    // Bytes are given back on delete, take and expiry.
    await store.delete('login:49');
    await store.take('login:48');
    expect(store.usage().login).toEqual({ entries: 7, bytes: usage.login!.bytes - 2 * (usage.login!.bytes / 9) });
    await store.close();
  });

  it('sweeps expired entries in the background', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now, sweepIntervalMs: 5 });
    await store.set('login:a', 1, 1);
    now = 5000;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.sizes()).toEqual({ login: 0 });
    expect(store.usage()).toEqual({ login: { entries: 0, bytes: 0 } });
    await store.close();
  });
});
