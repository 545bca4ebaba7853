// Full-parameter bookkeeping on shared memory: the direction cache generates large directions into
// SharedArrayBuffers through the bookkeeping pool, the fused ±εz / update sweep splits across the pool
// when out, θ and z are all shared — bit-identical to the single-thread chunked path — and
// onnxruntime-node accepts shared-memory parameter values as feeds.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { clearDirectionCache, generateDirection } from '../../core/estimators/direction-cache.ts';
import { writePerturbed } from '../../core/estimators/expand.ts';
import type { EstimateTerm } from '../../core/estimators/types.ts';
import { fillGaussian } from '../../core/random/gaussian.ts';
import {
  bookkeepingPoolStatus,
  configureBookkeepingPool,
  MIN_PARALLEL_ENTRIES,
} from '../../core/random/pool/pool.ts';
import { isShared, sharedFloat32 } from '../../core/random/pool/shared-memory.ts';
import { Stream } from '../../core/random/streams.ts';
import { openSherlock } from './real-model.ts';

afterAll(async () => {
  clearDirectionCache();
  await configureBookkeepingPool({ threads: 2 });
});

describe('shared-memory bookkeeping', () => {
  it('caches large directions in shared memory, small ones in ordinary arrays, same values', () => {
    clearDirectionCache();
    const large = { seed: 41, stream: Stream.direction, tensor: 0, sample: 0 };
    const small = { ...large, tensor: 1 };
    const z = generateDirection(large, MIN_PARALLEL_ENTRIES + 5);
    expect(isShared(z)).toBe(true);
    expect(isShared(generateDirection(small, 1000))).toBe(false);
    const expected = new Float32Array(z.length);
    fillGaussian(expected, large);
    expect(z).toEqual(expected);
    clearDirectionCache();
  });

  it('splits the fused sweep over shared buffers, bit-identical to the chunked path and in place', async () => {
    await configureBookkeepingPool({ threads: 3 });
    clearDirectionCache();
    const length = 2 * MIN_PARALLEL_ENTRIES + 1001;
    const term: EstimateTerm[] = [
      { kind: 'gaussian', seed: 8, stream: Stream.direction, sample: 0, coef: -0.37 },
    ];
    const base = sharedFloat32(length);
    for (let i = 0; i < length; i++) base[i] = Math.sin(i);
    // No cached z: the chunked path regenerates z per chunk and stages fround(coef·z).
    const chunked = new Float32Array(length);
    writePerturbed(chunked, base, term, 2, 0.7);
    generateDirection({ seed: 8, stream: Stream.direction, tensor: 2, sample: 0 }, length);
    const out = sharedFloat32(length);
    let itemsByWorkers = 0;
    for (let attempt = 0; attempt < 200 && itemsByWorkers === 0; attempt++) {
      out.fill(0);
      writePerturbed(out, base, term, 2, 0.7);
      const job = bookkeepingPoolStatus().lastJob;
      itemsByWorkers = job ? job.items - job.byCaller : 0;
      await sleep(50);
    }
    expect(itemsByWorkers).toBeGreaterThan(0);
    expect(out).toEqual(chunked);
    const inPlace = sharedFloat32(length);
    inPlace.set(base);
    writePerturbed(inPlace, inPlace, term, 2, 0.7);
    expect(inPlace).toEqual(chunked);
    expect(chunked).not.toEqual(base);
    clearDirectionCache();
  });

  it('feeds shared-memory parameter values to onnxruntime-node with the same loss', async () => {
    const session = await openSherlock('full', { maxLength: 16, batchSize: 2, trainRows: 8 });
    try {
      const values = session.initialParams().map((p) => p.data);
      const shared = values.map((data) => {
        const copy = sharedFloat32(data.length);
        copy.set(data);
        return copy;
      });
      // A perturbed copy proves the shared feeds are read, not ignored in favour of initializers.
      const perturbed = shared.map((data) => data.map((v, i) => v + (i % 7 === 0 ? 0.05 : 0)));
      const { objective } = session.trainBatch([0, 1]);
      const plain = await objective.evaluate(values);
      expect((await objective.evaluate(shared)).value).toBe(plain.value);
      expect((await objective.evaluate(perturbed)).value).not.toBe(plain.value);
    } finally {
      await session.dispose();
    }
  });
});
