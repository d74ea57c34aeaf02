/**
 * The store conformance suite: every {@link Store} implementation must pass it unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { holdConformance } from './conformance-holds.js';

/** Distinct keys for each run of a property (Redis keeps keys between runs). */
let run = 0;

/** How a backend under test is made and how its time is moved. */
export interface StoreFixture {
  readonly name: string;
  make(): Promise<Store>;
  /** Moves the store's clock forward (a fake clock, or real waiting for Redis). */
  advance(seconds: number): Promise<void>;
}

/** Registers the suite for `fixture`. */
export function storeConformance(fixture: StoreFixture): void {
  describe(`Store conformance: ${fixture.name}`, () => {
    it('sets, gets and deletes JSON values', async () => {
      const store = await fixture.make();
      await store.set('ns:a', { n: 1, list: ['x'], nested: { ok: true } }, 60);
      expect(await store.get('ns:a')).toEqual({ n: 1, list: ['x'], nested: { ok: true } });
      await store.set('ns:a', 'replaced', 60);
      expect(await store.get('ns:a')).toBe('replaced');
      await store.delete('ns:a');
      expect(await store.get('ns:a')).toBeUndefined();
      await store.delete('ns:never');
      await store.close();
    });

    it('keeps text outside Latin-1 exactly (names, emoji)', async () => {
      const store = await fixture.make();
      const value = { name: '张三', alias: 'Zoë 😀', quote: '"\\u4e00" stays text', list: ['李四'] };
      await store.set('ns:text', value, 60);
      expect(await store.get('ns:text')).toEqual(value);
      await store.close();
    });

    it('returns copies: mutating a read value does not change the stored one', async () => {
      const store = await fixture.make();
      await store.set('ns:obj', { n: 1 }, 60);
      const first = await store.get<{ n: number }>('ns:obj');
      first!.n = 2;
      expect(await store.get('ns:obj')).toEqual({ n: 1 });
      await store.close();
    });

    it('reads several keys in order with getMany', async () => {
      const store = await fixture.make();
      await store.set('ns:1', 'one', 60);
      await store.set('other:3', 3, 60);
      expect(await store.getMany(['ns:1', 'ns:2', 'other:3'])).toEqual(['one', undefined, 3]);
      expect(await store.getMany([])).toEqual([]);
      await store.close();
    });

    it('expires values after their TTL', async () => {
      const store = await fixture.make();
      await store.set('ns:short', 'v', 1);
      await store.set('ns:long', 'v', 60);
      expect(await store.get('ns:short')).toBe('v');
      await fixture.advance(2);
      expect(await store.get('ns:short')).toBeUndefined();
      expect(await store.get('ns:long')).toBe('v');
      expect(await store.claim('ns:short', 'again', 60)).toBe(true);
      await store.close();
    });

    it('take returns the value once', async () => {
      const store = await fixture.make();
      await store.set('ns:once', { id: 7 }, 60);
      expect(await store.take('ns:once')).toEqual({ id: 7 });
      expect(await store.take('ns:once')).toBeUndefined();
      expect(await store.get('ns:once')).toBeUndefined();
      await store.close();
    });

    it('take is atomic under concurrency: exactly one caller wins', async () => {
      const stores = await Promise.all([fixture.make(), fixture.make(), fixture.make()]);
      await stores[0]!.set('ns:race', 'prize', 60);
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 3]!.take('ns:race')));
      expect(results.filter((r) => r === 'prize')).toHaveLength(1);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('takeIf takes only when the field matches, and leaves the value otherwise', async () => {
      const store = await fixture.make();
      expect(await store.takeIf('ns:cond', 'owner', 'a')).toEqual({ found: false });
      await store.set('ns:cond', { owner: 'a', n: 1 }, 60);
      expect(await store.takeIf('ns:cond', 'owner', 'b')).toEqual({
        found: true,
        taken: false,
        value: { owner: 'a', n: 1 },
      });
      expect(await store.takeIf('ns:cond', 'missing', 'a')).toEqual({
        found: true,
        taken: false,
        value: { owner: 'a', n: 1 },
      });
      expect(await store.get('ns:cond')).toEqual({ owner: 'a', n: 1 });
      expect(await store.takeIf('ns:cond', 'owner', 'a')).toEqual({
        found: true,
        taken: true,
        value: { owner: 'a', n: 1 },
      });
      expect(await store.get('ns:cond')).toBeUndefined();
      await store.set('ns:scalar', 'a', 60);
      expect(await store.takeIf('ns:scalar', 'owner', 'a')).toEqual({ found: true, taken: false, value: 'a' });
      await store.set('ns:expiring', { owner: 'a' }, 1);
      await fixture.advance(2);
      expect(await store.takeIf('ns:expiring', 'owner', 'a')).toEqual({ found: false });
      await store.close();
    });

    it('takeIf is atomic under concurrency: exactly one matching caller wins', async () => {
      const stores = await Promise.all([fixture.make(), fixture.make(), fixture.make()]);
      await stores[0]!.set('ns:cond-race', { owner: 'a' }, 60);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => stores[i % 3]!.takeIf('ns:cond-race', 'owner', i % 2 === 0 ? 'a' : 'b')),
      );
      expect(results.filter((r) => r.found && r.taken)).toHaveLength(1);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('takeIf leaves its mark only when it takes, and never replaces an existing one', async () => {
      const store = await fixture.make();
      const mark = { key: 'mark:m1', value: { by: 'a' }, ttlSeconds: 60 };
      await store.set('ns:marked', { owner: 'a' }, 60);
      expect(await store.takeIf('ns:marked', 'owner', 'b', mark)).toMatchObject({ found: true, taken: false });
      expect(await store.get('mark:m1')).toBeUndefined();
      expect(await store.takeIf('ns:marked', 'owner', 'a', mark)).toMatchObject({ found: true, taken: true });
      expect(await store.get('mark:m1')).toEqual({ by: 'a' });
      await store.set('ns:marked', { owner: 'a' }, 60);
      expect(await store.takeIf('ns:marked', 'owner', 'a', { ...mark, value: { by: 'late' } })).toMatchObject({
        taken: true,
      });
      expect(await store.get('mark:m1')).toEqual({ by: 'a' });
      await store.set('ns:short-mark', { owner: 'a' }, 60);
      await store.takeIf('ns:short-mark', 'owner', 'a', { key: 'mark:m2', value: 1, ttlSeconds: 1 });
      await fixture.advance(2);
      expect(await store.get('mark:m2')).toBeUndefined();
      await store.close();
    });

    it('setMany stores every value with its own TTL', async () => {
      const store = await fixture.make();
      await store.setMany([]);
      await store.set('ns:m2', 'old', 60);
      await store.setMany([
        { key: 'ns:m1', value: { a: 1 }, ttlSeconds: 60 },
        { key: 'ns:m2', value: 'new', ttlSeconds: 1 },
        { key: 'other:m3', value: [3], ttlSeconds: 60 },
      ]);
      expect(await store.getMany(['ns:m1', 'ns:m2', 'other:m3'])).toEqual([{ a: 1 }, 'new', [3]]);
      await fixture.advance(2);
      expect(await store.getMany(['ns:m1', 'ns:m2', 'other:m3'])).toEqual([{ a: 1 }, undefined, [3]]);
      await store.close();
    });

    it('claim succeeds only for the first caller, even concurrently', async () => {
      const stores = await Promise.all([fixture.make(), fixture.make()]);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % 2]!.claim('ns:claim', { by: i }, 60)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await stores[0]!.claim('ns:claim', 'late', 60)).toBe(false);
      expect(await stores[1]!.get('ns:claim')).toEqual({ by: results.indexOf(true) });
      await Promise.all(stores.map((s) => s.close()));
    });

    it('claim stores its writes only when it wins, each with its own TTL, even concurrently', async () => {
      const stores = await Promise.all([fixture.make(), fixture.make()]);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stores[i % 2]!.claim('ns:claim-writes', { by: i }, 60, [
            { key: `ns:won-${i}`, value: { i, text: '张三' }, ttlSeconds: 1 },
            { key: `other:won-${i}`, value: [i], ttlSeconds: 60 },
          ]),
        ),
      );
      const winner = results.indexOf(true);
      expect(results.filter(Boolean)).toHaveLength(1);
      const written = await stores[0]!.getMany(Array.from({ length: 20 }, (_, i) => `ns:won-${i}`));
      expect(written).toEqual(Array.from({ length: 20 }, (_, i) => (i === winner ? { i, text: '张三' } : undefined)));
      expect(
        await stores[1]!.claim('ns:claim-writes', 'late', 60, [{ key: 'ns:late', value: 1, ttlSeconds: 60 }]),
      ).toBe(false);
      expect(await stores[1]!.get('ns:late')).toBeUndefined();
      await fixture.advance(2);
      expect(await stores[0]!.getMany([`ns:won-${winner}`, `other:won-${winner}`])).toEqual([undefined, [winner]]);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('claim deletes its alsoDelete keys only when it wins, in the same step', async () => {
      const stores = await Promise.all([fixture.make(), fixture.make()]);
      await stores[0]!.setMany([
        { key: 'ns:record', value: { user: '张三' }, ttlSeconds: 60 },
        { key: 'other:record', value: 1, ttlSeconds: 60 },
      ]);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stores[i % 2]!.claim('ns:used', { by: i }, 60, [], ['ns:record', 'other:record', 'ns:absent']),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await stores[1]!.getMany(['ns:record', 'other:record', 'ns:used'])).toEqual([
        undefined,
        undefined,
        { by: results.indexOf(true) },
      ]);
      await stores[0]!.set('ns:kept', 'still here', 60);
      expect(
        await stores[1]!.claim('ns:used', 'late', 60, [{ key: 'ns:late', value: 1, ttlSeconds: 60 }], ['ns:kept']),
      ).toBe(false);
      expect(await stores[0]!.getMany(['ns:kept', 'ns:late'])).toEqual(['still here', undefined]);
      expect(
        await stores[0]!.claim('ns:both', 1, 60, [{ key: 'ns:written', value: 2, ttlSeconds: 60 }], ['ns:kept']),
      ).toBe(true);
      expect(await stores[1]!.getMany(['ns:both', 'ns:written', 'ns:kept'])).toEqual([1, 2, undefined]);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('hit counts in fixed windows, refuses at the maximum and does not charge later counters', async () => {
      const store = await fixture.make();
      const ip = { key: 'rate-limit:t:ip:a', max: 2 };
      const client = { key: 'rate-limit:t:client:c', max: 3 };
      expect(await store.hit([ip, client], 2)).toEqual({ allowed: true });
      expect(await store.hit([ip, client], 2)).toEqual({ allowed: true });
      const refused = await store.hit([ip, client], 2);
      expect(refused).toMatchObject({ allowed: false, index: 0 });
      expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.allowed === false && refused.retryAfterSeconds).toBeLessThanOrEqual(2);
      // The refused request was not charged to the client: one more from elsewhere is allowed.
      expect(await store.hit([{ key: 'rate-limit:t:ip:b', max: 2 }, client], 2)).toEqual({ allowed: true });
      expect(await store.hit([{ key: 'rate-limit:t:ip:c', max: 2 }, client], 2)).toMatchObject({
        allowed: false,
        index: 1,
      });
      expect(await store.get('rate-limit:t:client:c')).toBe(3);
      await fixture.advance(2);
      expect(await store.hit([ip, client], 2)).toEqual({ allowed: true });
      await store.close();
    });

    it('hit is atomic under concurrency: exactly the maximum is allowed across replicas', async () => {
      const stores = await Promise.all([fixture.make(), fixture.make()]);
      const counter = { key: 'rate-limit:t:concurrent', max: 7 };
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.hit([counter], 60)));
      expect(results.filter((result) => result.allowed)).toHaveLength(7);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('reserve charges every counter or none, each in its own window, and names the first that is full', async () => {
      const store = await fixture.make();
      const ip = { key: 'rate-limit:r:ip:a', max: 2, windowSeconds: 1 };
      const hour = { key: 'rate-limit:r:hour', max: 3, windowSeconds: 60 };
      expect(await store.reserve([ip, hour])).toEqual({ allowed: true });
      expect(await store.reserve([ip, hour])).toEqual({ allowed: true });
      const refused = await store.reserve([ip, hour]);
      expect(refused).toMatchObject({ allowed: false, index: 0 });
      expect(refused.allowed === false && refused.retryAfterSeconds).toBeLessThanOrEqual(1);
      // Nothing was charged by the refusal: the hour still has one unit for another address.
      expect(await store.getMany([ip.key, hour.key])).toEqual([2, 2]);
      expect(await store.reserve([{ ...ip, key: 'rate-limit:r:ip:b' }, hour])).toEqual({ allowed: true });
      const full = await store.reserve([{ ...ip, key: 'rate-limit:r:ip:c' }, hour]);
      expect(full).toMatchObject({ allowed: false, index: 1 });
      expect(full.allowed === false && full.retryAfterSeconds).toBeGreaterThan(50);
      expect(await store.get('rate-limit:r:ip:c')).toBeUndefined();
      // The address's short window ends; the hour's does not.
      await fixture.advance(2);
      expect(await store.getMany([ip.key, hour.key])).toEqual([undefined, 3]);
      expect(await store.reserve([ip, { ...hour, max: 4 }])).toEqual({ allowed: true });
      expect(await store.reserve([])).toEqual({ allowed: true });
      await store.close();
    });

    it('reserve is atomic under concurrency: of any number of callers on any replicas, exactly the smallest maximum is granted', async () => {
      const stores = await Promise.all([fixture.make(), fixture.make(), fixture.make()]);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 12 }),
          async (callers, first, second) => {
            run += 1;
            const counters = [
              { key: `rate-limit:rc:${run}:ip`, max: first, windowSeconds: 60 },
              { key: `rate-limit:rc:${run}:hour`, max: second, windowSeconds: 3600 },
            ];
            const results = await Promise.all(
              Array.from({ length: callers }, (_, i) => stores[i % 3]!.reserve(counters)),
            );
            const granted = Math.min(callers, first, second);
            expect(results.filter((result) => result.allowed)).toHaveLength(granted);
            expect(await stores[0]!.getMany(counters.map((counter) => counter.key))).toEqual([granted, granted]);
          },
        ),
        { numRuns: 25 },
      );
      await Promise.all(stores.map((s) => s.close()));
    });

    it('release gives one unit back, never below zero, and neither starts nor extends a window', async () => {
      const store = await fixture.make();
      const counter = { key: 'rate-limit:rel:a', max: 1, windowSeconds: 1 };
      await store.release(['rate-limit:rel:absent']);
      expect(await store.get('rate-limit:rel:absent')).toBeUndefined();
      expect(await store.reserve([counter])).toEqual({ allowed: true });
      expect(await store.reserve([counter])).toMatchObject({ allowed: false });
      await store.release([counter.key, counter.key]);
      expect(await store.get(counter.key)).toBe(0);
      expect(await store.reserve([counter])).toEqual({ allowed: true });
      await store.release([]);
      // The window started by the first unit still ends on time.
      await fixture.advance(2);
      expect(await store.get(counter.key)).toBeUndefined();
      await store.release([counter.key]);
      expect(await store.get(counter.key)).toBeUndefined();
      await store.close();
    });

    it('reserve and release from several replicas keep the count a model keeps (property)', async () => {
      const stores = await Promise.all([fixture.make(), fixture.make()]);
      const step = fc.record({ replica: fc.integer({ min: 0, max: 1 }), op: fc.constantFrom('reserve', 'release') });
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), async (steps, max) => {
          run += 1;
          const counter = { key: `rate-limit:model:${run}`, max, windowSeconds: 60 };
          let count = 0;
          for (const { replica, op } of steps) {
            const store = stores[replica]!;
            if (op === 'release') {
              await store.release([counter.key]);
              count = Math.max(0, count - 1);
              continue;
            }
            expect((await store.reserve([counter])).allowed).toBe(count < max);
            if (count < max) count += 1;
          }
          expect((await stores[0]!.get<number>(counter.key)) ?? 0).toBe(count);
        }),
        { numRuns: 25 },
      );
      await Promise.all(stores.map((s) => s.close()));
    });

    holdConformance(fixture);

    it("addToSet keeps every item of concurrent adds and only ever lengthens the set's life", async () => {
      const [a, b] = [await fixture.make(), await fixture.make()];
      const key = `member-index:conf-${++run}-${Math.random()}`;
      expect(await a.setItems(key)).toEqual([]);
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).addToSet(key, `item-${i}`, 60)));
      await a.addToSet(key, 'item-0', 60);
      expect((await b.setItems(key)).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `item-${i}`).sort());
      // A shorter TTL never shortens the set's life.
      await a.addToSet(key, 'late', 1);
      await fixture.advance(2);
      expect(await a.setItems(key)).toContain('late');
      await a.delete(key);
      expect(await a.setItems(key)).toEqual([]);
      await a.close();
      await b.close();
    });

    it('a queue hands each due job to exactly one of concurrent claimers, again after its lease, never when full', async () => {
      const [a, b] = [await fixture.make(), await fixture.make()];
      const queue = `conf-${++run}-${Math.random()}`;
      const t = 1_800_000_000_000;
      expect(await a.enqueue(queue, 'j1', { n: 1 }, t, 2)).toBe(true);
      expect(await b.enqueue(queue, 'j1', { n: 'again' }, t, 2)).toBe(true);
      expect(await b.enqueue(queue, 'j2', { n: 2 }, t + 5000, 2)).toBe(true);
      expect(await a.enqueue(queue, 'j3', { n: 3 }, t, 2)).toBe(false);
      // Only j1 is due at t; of ten concurrent claims exactly one gets it.
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).dequeue(queue, t, 30_000)));
      expect(claims.filter(Boolean)).toEqual([{ id: 'j1', value: { n: 1 } }]);
      // Its lease has not ended at t + 10 s; j2 is due then.
      expect(await a.dequeue(queue, t + 10_000, 30_000)).toEqual({ id: 'j2', value: { n: 2 } });
      expect(await a.dequeue(queue, t + 10_000, 30_000)).toBeUndefined();
      await a.finish(queue, 'j2');
      // A claimer that died: after the lease the job is handed out again.
      expect(await b.dequeue(queue, t + 30_000, 30_000)).toEqual({ id: 'j1', value: { n: 1 } });
      // A retry: new value, later due time.
      await a.reschedule(queue, 'j1', { n: 1, attempt: 2 }, t + 100_000);
      expect(await a.dequeue(queue, t + 99_999, 1000)).toBeUndefined();
      expect(await a.dequeue(queue, t + 100_000, 1000)).toEqual({ id: 'j1', value: { n: 1, attempt: 2 } });
      await a.finish(queue, 'j1');
      await a.reschedule(queue, 'j1', { gone: true }, t);
      expect(await b.dequeue(queue, t + 1_000_000, 1000)).toBeUndefined();
      expect(await a.enqueue(queue, 'j3', { n: 3 }, t, 2)).toBe(true);
      await a.finish(queue, 'j3');
      await a.close();
      await b.close();
    });

    it('answers ping while usable', async () => {
      const store = await fixture.make();
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
    });
  });
}
