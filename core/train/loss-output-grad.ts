// PseuZO differentiates only the loss head: it needs ∇_o L, the gradient of the step's batch loss L
// with respect to the model outputs o (final hidden states). The engine gives the per-row part.
import type { TokenBatch } from '../data/batches.ts';
import { candidateScores } from '../data/example-loss.ts';

/**
 * ∇_o L for the batch loss L from the engine's per-row ∂loss_row/∂o (`hidden_grad` is the gradient
 * of Σ_row loss_row, and each row only touches its own slice): row r is scaled by ∂L/∂loss_r — 1/E
 * for single-sequence examples, (1[r is gold] − p_r)/E under the cross-entropy over candidate
 * scores s = −loss (estimators.md §0), with E the number of examples.
 */
export function batchLossOutputGrad(
  batch: TokenBatch,
  sequenceLoss: Float32Array,
  hiddenGrad: Float32Array,
): Float32Array {
  const scores = candidateScores(batch, sequenceLoss);
  const rowSize = hiddenGrad.length / batch.batch;
  const scaled = new Float32Array(hiddenGrad.length);
  for (let row = 0; row < batch.batch; row++) {
    const example = batch.exampleOf[row] as number;
    const gold = batch.gold[example] as number;
    let weight = 1;
    if (gold >= 0) {
      const exampleScores = scores[example] as number[];
      const max = Math.max(...exampleScores);
      const total = exampleScores.reduce((sum, score) => sum + Math.exp(score - max), 0);
      const candidate = batch.candidateOf[row] as number;
      const probability = Math.exp((exampleScores[candidate] as number) - max) / total;
      weight = (candidate === gold ? 1 : 0) - probability;
    }
    weight /= batch.examples;
    for (let i = row * rowSize; i < (row + 1) * rowSize; i++) scaled[i] = (hiddenGrad[i] as number) * weight;
  }
  return scaled;
}
