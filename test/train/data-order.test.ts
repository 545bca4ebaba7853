import { describe, expect, it } from 'vitest';
import { DataOrder } from '../../core/train/data-order.ts';

describe('DataOrder', () => {
  it('visits every row exactly once per epoch', () => {
    const order = new DataOrder(10, 5, 7);
    const epoch0 = [...order.batch(0), ...order.batch(1)];
    const epoch1 = [...order.batch(2), ...order.batch(3)];
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch1).not.toEqual(epoch0);
  });

  it('wraps a batch across the epoch boundary', () => {
    const order = new DataOrder(5, 3, 1);
    const firstTwo = [...order.batch(0), ...order.batch(1)];
    expect(new Set(firstTwo.slice(0, 5)).size).toBe(5);
    expect(firstTwo).toHaveLength(6);
  });

  it('is a pure function of (seed, step): a fresh instance jumping to step 37 agrees', () => {
    const walked = new DataOrder(23, 4, 42);
    for (let step = 0; step < 37; step++) walked.batch(step);
    expect(new DataOrder(23, 4, 42).batch(37)).toEqual(walked.batch(37));
    expect(new DataOrder(23, 4, 43).batch(37)).not.toEqual(walked.batch(37));
  });

  it('refuses an empty training set', () => {
    expect(() => new DataOrder(0, 4, 0)).toThrow(/training set is empty/);
  });
});
