// Sequence bookkeeping derived from `attention_mask` [B, T] (1 = real token, 0 = pad; padding may be on
// either side): dynamic batch/length dims, position ids, and the additive attention bias.
//
// Positions follow HF: cumsum(mask) − 1 on real tokens, so a left-padded row gets the same positions as
// unpadded text (learned-position models depend on this; see the fixtures' `sensitivity` notes). Pads
// get position 0; their outputs are never used. With N prefix tokens, real tokens start at N, as when
// HF continues from N cached key/values.
import type { GraphBuilder, Value } from '../builder.ts';

/** Large negative instead of −inf, so a row with no visible key softmaxes to uniform rather than NaN. */
const MASKED_BIAS = -1e9;

export interface SequenceDims {
  /** [1] int64: B and T, for building dynamic shapes. */
  batch: Value;
  seq: Value;
}

export function sequenceDims(g: GraphBuilder, inputIds: Value): SequenceDims {
  return g.scope('dims', () => {
    const shape = g.op('Shape', [inputIds]);
    return { batch: g.slice(shape, 0, 0, 1), seq: g.slice(shape, 0, 1, 2) };
  });
}

export function positionsFromMask(g: GraphBuilder, mask: Value, offset: number): Value {
  return g.scope('positions', () => {
    const cumsum = g.op('CumSum', [mask, g.i64(1)]);
    const positions = g.op('Max', [g.sub(cumsum, g.i64(1)), g.i64(0)]);
    return offset === 0 ? positions : g.add(positions, g.i64(offset));
  });
}

/**
 * Additive bias [B, 1, 1, T, prefix + T] for the [B, kv, group, T, keys] score layout: 0 where query i
 * may see key j (j ≤ i and j real; prefix keys always), MASKED_BIAS elsewhere.
 */
export function attentionBias(g: GraphBuilder, mask: Value, dims: SequenceDims, prefixTokens: number): Value {
  return g.scope('attn_bias', () => {
    const seqScalar = g.squeeze(dims.seq, [0]);
    const steps = g.op('Range', [g.i64(0), seqScalar, g.i64(1)]);
    const causal = g.op('LessOrEqual', [g.unsqueeze(steps, [0]), g.unsqueeze(steps, [1])]); // [T(query), T(key)]
    const keyIsReal = g.unsqueeze(g.cast(mask, 'bool'), [1, 2]); // [B, 1, 1, T]
    const visible = g.op('And', [causal, keyIsReal]); // [B, 1, T, T]
    let bias = g.op('Where', [visible, g.f32(0), g.f32(MASKED_BIAS)]);
    if (prefixTokens > 0) {
      const prefixShape = g.concat([dims.batch, g.i64([1]), dims.seq, g.i64([prefixTokens])], 0);
      const prefixBias = g.op('Expand', [g.f32(0), prefixShape]);
      bias = g.concat([prefixBias, bias], 3);
    }
    return g.unsqueeze(bias, [1]);
  });
}

/** GroupQueryAttention's lengths for B rows of T tokens (see blocks/attention.ts). */
export function gqaLengths(g: GraphBuilder, dims: SequenceDims): { seqlensK: Value; total: Value } {
  return g.scope('gqa_lengths', () => {
    const lastIndex = g.cast(g.sub(dims.seq, g.i64(1)), 'int32'); // [1]
    return {
      seqlensK: g.op('Expand', [lastIndex, dims.batch]),
      total: g.cast(g.squeeze(dims.seq, [0]), 'int32'),
    };
  });
}
