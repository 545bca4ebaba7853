// The Perturber's scratch buffers: θ + s·d lands in shared memory for large tensors (so the sweep can
// pool), one buffer set is reused from step to step instead of a model-sized allocation per step, and
// evaluations that overlap never share a buffer. Plus the masters' move into shared memory.
import { describe, expect, it } from 'vitest';
import { gaussianDirection } from '../../core/estimators/mezo/mezo.ts';
import { Perturber } from '../../core/estimators/perturb.ts';
import type { Objective, Params } from '../../core/estimators/types.ts';
import { inBookkeepingMemory, MIN_PARALLEL_ENTRIES } from '../../core/random/pool/pool.ts';
import { isShared } from '../../core/random/pool/shared-memory.ts';

function paramsOf(...lengths: number[]): Params {
  return lengths.map((length, i) => ({
    name: `t${i}`,
    shape: [length],
    data: Float32Array.from({ length }, (_, j) => (j % 7) / 7),
  }));
}

/** Records the arrays it is fed and a copy of their values; resolves after `delayMs`. */
function recordingObjective(delayMs = 0) {
  const fed: Float32Array[][] = [];
  const snapshots: Float32Array[][] = [];
  const objective: Objective = {
    async evaluate(values) {
      fed.push([...values]);
      snapshots.push(values.map((v) => v.slice()));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { value: 0 };
    },
  };
  return { objective, fed, snapshots };
}

describe('Perturber scratch', () => {
  it('puts large perturbed tensors in shared memory and reuses one buffer set across perturbers', async () => {
    const params = paramsOf(MIN_PARALLEL_ENTRIES, 100);
    const { objective, fed } = recordingObjective();
    const direction = gaussianDirection(params, 7);
    // Estimators build a Perturber per step: the second step must not allocate a new copy.
    await new Perturber(objective).evaluateAt(params, direction, 1e-3);
    await new Perturber(objective).evaluateAt(params, direction, -1e-3);
    const [first, second] = fed as [Float32Array[], Float32Array[]];
    expect(isShared(first[0] as Float32Array)).toBe(true);
    expect(isShared(first[1] as Float32Array)).toBe(false);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
  });

  it('gives overlapping evaluations their own buffers, each holding its own θ + s·d', async () => {
    const params = paramsOf(300, 40);
    const { objective, fed, snapshots } = recordingObjective(20);
    const direction = gaussianDirection(params, 11);
    const perturber = new Perturber(objective);
    await Promise.all([
      perturber.evaluateAt(params, direction, 0.5),
      perturber.evaluateAt(params, direction, -0.5),
    ]);
    const [plus, minus] = fed as [Float32Array[], Float32Array[]];
    expect(plus[0]).not.toBe(minus[0]);
    // The values each evaluation saw are still in its buffer after both finished: nothing overwrote them.
    expect(plus[0]).toEqual(snapshots[0]?.[0]);
    expect(minus[0]).toEqual(snapshots[1]?.[0]);
    const theta = params[0]?.data as Float32Array;
    for (let i = 0; i < theta.length; i++) {
      expect(((plus[0]?.[i] as number) + (minus[0]?.[i] as number)) / 2).toBeCloseTo(theta[i] as number, 5);
    }
  });
});

describe('inBookkeepingMemory', () => {
  it('copies a large array into shared memory with the same values and leaves small ones alone', () => {
    const large = Float32Array.from({ length: MIN_PARALLEL_ENTRIES }, (_, i) => Math.sin(i));
    const moved = inBookkeepingMemory(large);
    expect(isShared(moved)).toBe(true);
    expect(moved).not.toBe(large);
    expect(moved).toEqual(large);
    expect(inBookkeepingMemory(moved)).toBe(moved);
    const small = new Float32Array(10);
    expect(inBookkeepingMemory(small)).toBe(small);
  });
});
