// From per-sequence losses (mean negative log-likelihood of each sequence's target tokens, what the
// engine returns) to what training and evaluation need, following estimators.md §0 (MeZO convention):
// a candidate's score is the mean log-probability of its tokens, i.e. minus its sequence loss; the
// example's loss is the cross-entropy over its candidates' scores; the prediction is the best score.
import type { TokenBatch } from './batches.ts';

/** Per-candidate scores grouped by example: scores[e][c]. */
export function candidateScores(batch: TokenBatch, sequenceLoss: Float32Array): number[][] {
  const scores: number[][] = Array.from({ length: batch.examples }, () => []);
  for (let row = 0; row < batch.batch; row++) {
    (scores[batch.exampleOf[row] as number] as number[])[batch.candidateOf[row] as number] = -(sequenceLoss[
      row
    ] as number);
  }
  return scores;
}

/**
 * Loss per example: cross-entropy over candidate scores when the example has candidates (gold ≥ 0),
 * otherwise the sequence's own loss (teacher-forced target or language modelling).
 */
export function exampleLosses(batch: TokenBatch, sequenceLoss: Float32Array): Float64Array {
  const scores = candidateScores(batch, sequenceLoss);
  return Float64Array.from(scores, (row, example) => {
    const gold = batch.gold[example] as number;
    if (gold < 0) return -(row[0] as number);
    const max = Math.max(...row);
    const logSumExp = max + Math.log(row.reduce((sum, score) => sum + Math.exp(score - max), 0));
    return logSumExp - (row[gold] as number);
  });
}

/** The batch loss L(θ; B): the mean of the example losses. */
export function batchLoss(batch: TokenBatch, sequenceLoss: Float32Array): number {
  const losses = exampleLosses(batch, sequenceLoss);
  return losses.reduce((sum, loss) => sum + loss, 0) / losses.length;
}

/** Predicted candidate per example (highest mean log-likelihood; ties go to the first). */
export function predictions(batch: TokenBatch, sequenceLoss: Float32Array): Int32Array {
  return Int32Array.from(candidateScores(batch, sequenceLoss), (row) => row.indexOf(Math.max(...row)));
}
