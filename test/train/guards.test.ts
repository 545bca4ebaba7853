import { describe, expect, it } from 'vitest';
import { divergenceReason, initialEarlyStopping, observeValidationLoss } from '../../core/train/guards.ts';

describe('divergenceReason', () => {
  it('accepts a loss within the factor of the baseline', () => {
    expect(divergenceReason(5.9, 6, 10)).toBeNull();
    expect(divergenceReason(59.9, 6, 10)).toBeNull();
  });

  it('names NaN, infinity and an exploded loss', () => {
    expect(divergenceReason(Number.NaN, 6, 10)).toMatch(/train loss became NaN/);
    expect(divergenceReason(Number.POSITIVE_INFINITY, 6, 10)).toMatch(/became Infinity/);
    expect(divergenceReason(61, 6, 10)).toMatch(/61\.000 exceeds 10× the baseline loss 6\.0000/);
  });
});

describe('observeValidationLoss', () => {
  const settings = { patience: 2, minDelta: 0.01 };

  it('stops after `patience` evaluations without an improvement larger than minDelta', () => {
    let state = initialEarlyStopping;
    const stops: boolean[] = [];
    for (const loss of [3, 2.5, 2.495, 2.6, 2.4, 2.4, 2.395]) {
      const result = observeValidationLoss(state, loss, settings);
      state = result.state;
      stops.push(result.shouldStop);
    }
    expect(stops).toEqual([false, false, false, true, false, false, true]);
    expect(state.bestLoss).toBe(2.4);
  });
});
