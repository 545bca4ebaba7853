import { describe, expect, it } from 'vitest';
import { learningRate } from '../../core/train/schedule.ts';

const base = { warmupSteps: 0, finalRatio: 0 };

describe('learningRate', () => {
  it('is the base rate at every step of a constant schedule', () => {
    for (const step of [0, 1, 50, 99])
      expect(learningRate({ ...base, kind: 'constant' }, 0.1, step, 100)).toBe(0.1);
  });

  it('warms up linearly, reaching the base rate at the end of warm-up', () => {
    const schedule = { kind: 'constant' as const, warmupSteps: 4, finalRatio: 0 };
    expect([0, 1, 2, 3, 4].map((s) => learningRate(schedule, 1, s, 10))).toEqual([0.25, 0.5, 0.75, 1, 1]);
  });

  it('decays linearly from the base rate to finalRatio × base at the last step', () => {
    const schedule = { kind: 'linear' as const, warmupSteps: 0, finalRatio: 0.1 };
    expect(learningRate(schedule, 1, 0, 11)).toBeCloseTo(1, 12);
    expect(learningRate(schedule, 1, 5, 11)).toBeCloseTo(0.55, 12);
    expect(learningRate(schedule, 1, 10, 11)).toBeCloseTo(0.1, 12);
  });

  it('follows a half cosine after warm-up', () => {
    const schedule = { kind: 'cosine' as const, warmupSteps: 2, finalRatio: 0 };
    expect(learningRate(schedule, 2, 2, 13)).toBeCloseTo(2, 12);
    expect(learningRate(schedule, 2, 7, 13)).toBeCloseTo(1, 12);
    expect(learningRate(schedule, 2, 12, 13)).toBeCloseTo(0, 12);
    const rates = Array.from({ length: 11 }, (_, i) => learningRate(schedule, 2, i + 2, 13));
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1] ?? Infinity);
  });
});
