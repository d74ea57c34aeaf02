/**
 * The part of the store conformance suite about held units (`Store.reserve` with a hold,
 * `Store.keep`, `Store.release` with a hold id): a refusal must tell units that work in flight
 * holds from units already spent, on every backend, whichever replica settles them.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { StoreFixture } from './conformance.js';

/** Distinct keys for each run of a property (Redis keeps keys between runs). */
let run = 0;

const hold = (id: string, seconds = 60) => ({ id, seconds });

/** Registers the held-unit tests for `fixture` (inside the suite's describe). */
export function holdConformance(fixture: StoreFixture): void {
  it('reserve tells a budget full of held units (held) from one full of spent units, and keep turns held into spent', async () => {
    const store = await fixture.make();
    const counter = { key: 'rate-limit:h:ip:a', max: 2, windowSeconds: 60 };
    expect(await store.reserve([counter], hold('one'))).toEqual({ allowed: true });
    expect(await store.reserve([counter], hold('two'))).toEqual({ allowed: true });
    expect(await store.reserve([counter], hold('three'))).toMatchObject({ allowed: false, index: 0, held: true });
    await store.keep([counter.key], 'one');
    expect(await store.reserve([counter], hold('three'))).toMatchObject({ allowed: false, index: 0, held: true });
    await store.keep([counter.key], 'two');
    const spent = await store.reserve([counter], hold('three'));
    expect(spent).toMatchObject({ allowed: false, index: 0, held: false });
    expect(spent.allowed === false && spent.retryAfterSeconds).toBeGreaterThan(50);
    // Keeping spends nothing more, and keeping twice or an unknown hold changes nothing.
    await store.keep([counter.key], 'two');
    await store.keep([counter.key, 'rate-limit:h:absent'], 'nobody');
    await store.keep([], 'one');
    expect(await store.getMany([counter.key, 'rate-limit:h:absent'])).toEqual([2, undefined]);
    await store.close();
  });

  it('release with a hold id gives the unit back and ends the hold, from any replica', async () => {
    const [first, second] = await Promise.all([fixture.make(), fixture.make()]);
    const counter = { key: 'rate-limit:h:ip:b', max: 1, windowSeconds: 60 };
    expect(await first!.reserve([counter], hold('one'))).toEqual({ allowed: true });
    await second!.release([counter.key], 'one');
    expect(await first!.get(counter.key)).toBe(0);
    expect(await second!.reserve([counter], hold('two'))).toEqual({ allowed: true });
    await first!.keep([counter.key], 'two');
    // "two" is spent now; the release of the long-gone "one" must not make it look held.
    await first!.release([counter.key], 'one');
    expect(await first!.reserve([counter], hold('three'))).toEqual({ allowed: true });
    await first!.keep([counter.key], 'three');
    expect(await second!.reserve([counter], hold('four'))).toMatchObject({ allowed: false, held: false });
    await Promise.all([first!.close(), second!.close()]);
  });

  it('names the first counter spent units fill, even after one that only held units fill', async () => {
    const store = await fixture.make();
    const ip = { key: 'rate-limit:h:ip:c', max: 1, windowSeconds: 60 };
    const hour = { key: 'rate-limit:h:hour', max: 1, windowSeconds: 3600 };
    expect(await store.reserve([ip], hold('in-flight'))).toEqual({ allowed: true });
    expect(await store.reserve([hour], hold('rejected'))).toEqual({ allowed: true });
    await store.keep([hour.key], 'rejected');
    const refused = await store.reserve([ip, hour], hold('next'));
    expect(refused).toMatchObject({ allowed: false, index: 1, held: false });
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThan(3000);
    expect(await store.reserve([ip, { ...hour, max: 2 }], hold('next'))).toMatchObject({
      allowed: false,
      index: 0,
      held: true,
    });
    // A reservation without a hold counts as spent at once, as before holds existed.
    expect(await store.reserve([{ ...ip, key: 'rate-limit:h:ip:d' }])).toEqual({ allowed: true });
    expect(await store.reserve([{ ...ip, key: 'rate-limit:h:ip:d' }], hold('x'))).toMatchObject({
      allowed: false,
      held: false,
    });
    await store.close();
  });

  it('a hold nobody settles (its replica died) becomes a spent unit when its lease ends', async () => {
    const store = await fixture.make();
    const counter = { key: 'rate-limit:h:ip:e', max: 1, windowSeconds: 60 };
    expect(await store.reserve([counter], hold('crashed', 1))).toEqual({ allowed: true });
    expect(await store.reserve([counter], hold('waiting'))).toMatchObject({ allowed: false, held: true });
    await fixture.advance(2);
    expect(await store.reserve([counter], hold('waiting'))).toMatchObject({ allowed: false, held: false });
    // A late release still gives the unit back.
    await store.release([counter.key], 'crashed');
    expect(await store.reserve([counter], hold('waiting'))).toEqual({ allowed: true });
    await store.close();
  });

  it('reserve, keep and release with holds from several replicas answer what a model answers (property)', async () => {
    const stores = await Promise.all([fixture.make(), fixture.make()]);
    const step = fc.record({
      replica: fc.integer({ min: 0, max: 1 }),
      op: fc.constantFrom('reserve', 'reserve', 'keep', 'release'),
      pick: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), fc.integer({ min: 1, max: 4 }), async (steps, max) => {
        run += 1;
        const counter = { key: `rate-limit:hmodel:${run}`, max, windowSeconds: 60 };
        const model = { count: 0, held: [] as string[], next: 0 };
        for (const { replica, op, pick } of steps) await modelStep(stores[replica]!, counter, model, op, pick);
        expect((await stores[0]!.get<number>(counter.key)) ?? 0).toBe(model.count);
      }),
      { numRuns: 25 },
    );
    await Promise.all(stores.map((s) => s.close()));
  });
}

/** One step against the store and the model; a reserve's answer must be the model's. */
async function modelStep(
  store: Store,
  counter: { key: string; max: number; windowSeconds: number },
  model: { count: number; held: string[]; next: number },
  op: string,
  pick: number,
): Promise<void> {
  if (op === 'reserve') {
    model.next += 1;
    const id = `h${model.next}`;
    const result = await store.reserve([counter], hold(id));
    if (model.count < counter.max) {
      expect(result).toEqual({ allowed: true });
      model.count += 1;
      model.held.push(id);
    } else {
      expect(result).toMatchObject({ allowed: false, held: model.count - model.held.length < counter.max });
    }
    return;
  }
  if (model.held.length === 0) return;
  const [id] = model.held.splice(pick % model.held.length, 1);
  if (op === 'keep') return store.keep([counter.key], id!);
  await store.release([counter.key], id);
  model.count = Math.max(0, model.count - 1);
}
