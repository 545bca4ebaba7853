// The LM head and everything computed from logits. Logits never leave the graph on the hot path (the
// probe measured +130 ms and +840 MiB for fetching them on a 135M model); the graph returns the
// per-example loss and, on request, a few small tensors.
//
//   hidden[:, :-1] ─► Gemm(Wᵀ) ─► logits ─► ReduceLogSumExp ─┐
//                                     └──► GatherElements(labels[:, 1:]) ─► Sub ─► mask −100 ─► mean per row
//   hidden at the answer position ─► Gemm(Wᵀ) ─► last_logits ─► GatherElements(candidate_ids)
import type { GraphBuilder, Value } from '../builder.ts';
import type { SequenceDims } from './mask.ts';

export const IGNORE_INDEX = -100;

/** logits = h·Wᵀ for h [B, X, H] and W [V, H] as stored (the tied embedding needs no transposed copy). */
export function headLogits(
  g: GraphBuilder,
  h: Value,
  head: Value,
  dims: SequenceDims,
  hidden: number,
  vocab: number,
): Value {
  return g.scope('lm_head', () => {
    const flat = g.reshape(h, [-1, hidden]);
    const logits = g.op('Gemm', [flat, head], { transB: 1 });
    return g.op('Reshape', [logits, g.concat([dims.batch, g.i64([-1, vocab])], 0)]);
  });
}

export interface LossParts {
  /** [B] mean NLL over each row's labelled positions (0 for a row without labels). */
  loss: Value;
  /** [B] number of labelled positions. */
  tokenCount: Value;
  /** [B, T−1] bool: target at t+1 is labelled. */
  valid: Value;
  /** [B, T−1] int64 targets with ignored positions replaced by 0 (safe to gather). */
  targets: Value;
  /** [B] max(tokenCount, 1). */
  divisor: Value;
}

/** HF causal-LM loss: logits at t predict labels at t+1; labels of −100 are ignored. */
export function maskedCrossEntropy(g: GraphBuilder, logits: Value, labels: Value, seqLen: Value): LossParts {
  return g.scope('loss', () => {
    const shifted = g.op('Slice', [labels, g.i64([1]), seqLen, g.i64([1])]);
    const valid = g.op('Not', [g.op('Equal', [shifted, g.i64(IGNORE_INDEX)])]);
    const targets = g.op('Where', [valid, shifted, g.i64(0)]);
    const logSumExp = g.op('ReduceLogSumExp', [logits], { axes: [-1], keepdims: 0 });
    const picked = g.squeeze(g.op('GatherElements', [logits, g.unsqueeze(targets, [2])], { axis: 2 }), [2]);
    // Where, not a multiply by the mask: an ignored position may hold inf/NaN garbage (0·inf = NaN).
    const nll = g.op('Where', [valid, g.sub(logSumExp, picked), g.f32(0)]);
    const tokenCount = g.op('ReduceSum', [g.cast(valid, 'float32'), g.i64([1])], { keepdims: 0 });
    const divisor = g.op('Max', [tokenCount, g.f32(1)]);
    const loss = g.div(g.op('ReduceSum', [nll, g.i64([1])], { keepdims: 0 }), divisor);
    return { loss, tokenCount, valid, targets, divisor };
  });
}

/**
 * ∂(Σ_b loss_b)/∂hidden [B, T, H]: (softmax(logits) − onehot(target))·W, masked and divided by each
 * row's token count; the last position predicts nothing, so its gradient is 0. (PseuZO's e = ∇_o ℓ.)
 */
export function hiddenGrad(
  g: GraphBuilder,
  logits: Value,
  parts: LossParts,
  head: Value,
  vocab: number,
): Value {
  return g.scope('hidden_grad', () => {
    const probs = g.op('Softmax', [logits], { axis: -1 });
    const vocabIds = g.op('Range', [g.i64(0), g.i64(vocab), g.i64(1)]);
    const onehot = g.cast(g.op('Equal', [g.unsqueeze(parts.targets, [2]), vocabIds]), 'float32');
    const weight = g.div(g.cast(parts.valid, 'float32'), g.unsqueeze(parts.divisor, [1])); // [B, T−1]
    const dLogits = g.mul(g.sub(probs, onehot), g.unsqueeze(weight, [2]));
    const grad = g.matmul(dLogits, head); // [B, T−1, H]
    return g.op('Pad', [grad, g.i64([0, 0, 0, 0, 1, 0])]);
  });
}

/** Index [B] of each row's last real token (mask may be left- or right-padded). */
export function lastRealPosition(g: GraphBuilder, mask: Value): Value {
  return g.scope('last_position', () => {
    const maskF = g.cast(mask, 'float32');
    return g.op('ArgMax', [maskF], { axis: 1, keepdims: 0, select_last_index: 1 });
  });
}

/** hidden [B, T, H] at per-row positions [B] → [B, H]. */
export function hiddenAt(
  g: GraphBuilder,
  h: Value,
  positions: Value,
  dims: SequenceDims,
  hidden: number,
): Value {
  return g.scope('hidden_at', () => {
    const index = g.unsqueeze(positions, [1, 2]); // [B, 1, 1]
    const expanded = g.op('Expand', [index, g.concat([dims.batch, g.i64([1, hidden])], 0)]);
    return g.squeeze(g.op('GatherElements', [h, expanded], { axis: 1 }), [1]);
  });
}
