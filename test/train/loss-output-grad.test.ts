// ∇_o L from per-row gradients must match finite differences of core/data's batch loss: with
// hidden_grad = 1 per row (one output per row), the scaled gradient is exactly ∂L/∂loss_row.
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../core/data/batches.ts';
import type { EncodedExample } from '../../core/data/encode.ts';
import { batchLoss } from '../../core/data/example-loss.ts';
import { batchLossOutputGrad } from '../../core/train/loss-output-grad.ts';

const sequence = (ids: number[]) => ({ ids, isTarget: Uint8Array.from(ids, (_, i) => (i > 0 ? 1 : 0)) });
const example = (gold: number, candidates: number): EncodedExample => ({
  line: 1,
  sequences: Array.from({ length: candidates }, (_, c) => sequence([1, 2 + c, 3])),
  gold,
  isTruncated: false,
});

function finiteDifference(batch: ReturnType<typeof makeBatch>, losses: Float32Array): number[] {
  const h = 1e-3;
  return Array.from(losses, (_, row) => {
    const up = Float32Array.from(losses);
    const down = Float32Array.from(losses);
    up[row] = (up[row] as number) + h;
    down[row] = (down[row] as number) - h;
    return (batchLoss(batch, up) - batchLoss(batch, down)) / (2 * h);
  });
}

describe('batchLossOutputGrad', () => {
  it('matches finite differences of the candidate cross-entropy', () => {
    const batch = makeBatch([example(1, 3), example(0, 2)], { padId: 0 });
    const losses = Float32Array.from([2.1, 0.7, 1.4, 0.9, 2.5]);
    const grad = batchLossOutputGrad(batch, losses, new Float32Array(batch.batch).fill(1));
    finiteDifference(batch, losses).forEach((expected, row) => expect(grad[row]).toBeCloseTo(expected, 4));
  });

  it('is 1/E per row for single-sequence examples, scaling every output of the row', () => {
    const batch = makeBatch([example(-1, 1), example(-1, 1)], { padId: 0 });
    const grad = batchLossOutputGrad(batch, Float32Array.from([3, 4]), Float32Array.from([2, 4, 6, 8]));
    expect(Array.from(grad)).toEqual([1, 2, 3, 4]);
  });
});
