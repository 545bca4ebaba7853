// PseuZO's grouped window products (core/estimators/pseuzo/window-dots.ts) equal one sequential float64
// dot per entry bit for bit, for equal lengths (the four-at-a-time pass) and for entries from batches of
// other lengths (right-aligned common suffix).
import { describe, expect, it } from 'vitest';
import { outputDifference, windowDots } from '../../core/estimators/pseuzo/window-dots.ts';
import { gaussianArray } from '../../core/random/gaussian.ts';

/** The reference: ⟨a, e⟩ over the right-aligned common suffix, one entry at a time. */
function referenceDot(a: Float32Array, e: Float32Array): number {
  const n = Math.min(a.length, e.length);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (a[a.length - n + i] as number) * (e[e.length - n + i] as number);
  return sum;
}

const draw = (length: number, tensor: number) =>
  gaussianArray(length, { seed: 99, stream: 1, tensor, sample: 0 });

describe('pseuzo window products', () => {
  it('match one dot per entry exactly, for equal and mixed lengths', () => {
    const e = draw(4099, 0);
    const equal = Array.from({ length: 14 }, (_, i) => draw(4099, i + 1));
    const mixed = [4099, 4099, 3000, 4099, 5000, 4099, 4099, 4099, 4099, 17].map((n, i) => draw(n, i + 20));
    for (const entries of [equal, mixed]) {
      const dots = windowDots(entries, e);
      expect([...dots]).toEqual(entries.map((a) => referenceDot(a, e)));
      expect(dots.every((d) => d !== 0)).toBe(true);
    }
    expect([...windowDots([], e)]).toEqual([]);
  });

  it('takes output differences entry by entry and names a length mismatch', () => {
    const base = draw(10, 1);
    const shifted = draw(10, 2);
    expect([...outputDifference(shifted, base)]).toEqual(
      [...shifted].map((v, i) => Math.fround(v - (base[i] as number))),
    );
    expect(() => outputDifference(draw(9, 3), base)).toThrow(
      /pseuzo: perturbed outputs have 9 entries, the unperturbed ones 10/,
    );
  });
});
