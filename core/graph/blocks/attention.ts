// Causal self-attention with grouped-query heads. Plain ONNX ops everywhere but the fused CPU build
// (the probe found the contrib attention kernels wrong on WebGPU for ≥ 32 tokens). Query heads are
// grouped under their KV head by a reshape, and scores broadcast over the group axis, so K/V are never
// repeated (HF repeat_kv: query head h uses KV head ⌊h / group⌋). The fused CPU build without prefix
// runs the same math in com.microsoft GroupQueryAttention (bottom of this file).
//
//   q [B,T,h·d] ─► [B,T,h,d] ─(RoPE)─► [B,kv,g,T,d] ─► MatMul(kᵀ) ·1/√d + bias ─► Softmax ─► MatMul(v)
//   k [B,T,kv·d] ─► [B,T,kv,d] ─(RoPE)─► [B,kv,1,T,d] (prefix keys prepended) ─┘                 │
//   v ──────────────────────────────────► [B,kv,1,T,d] (prefix values prepended) ────────────────┘
//   ─► [B,T,h·d]
import type { GraphBuilder, Value } from '../builder.ts';
import { MS_DOMAIN } from '../builder.ts';
import type { Rotary } from './rotary.ts';
import { applyRotary } from './rotary.ts';

export interface AttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
}

export interface AttentionInputs {
  q: Value;
  k: Value;
  v: Value;
  /** [B, 1, 1, T, keys] additive bias from attentionBias(). */
  bias: Value;
  rotary?: Rotary;
  /** Per-layer prefix keys/values, each [B, kv, N, d] (already in key space: no RoPE applied to them). */
  prefix?: { k: Value; v: Value };
  /** CPU build without prefix: run the core in com.microsoft GroupQueryAttention (see gqaLengths). */
  gqa?: GqaLengths;
}

/** GroupQueryAttention's length inputs: every row is T long (padding is in the additive bias instead). */
export interface GqaLengths {
  /** [B] int32, T − 1 per row. */
  seqlensK: Value;
  /** Scalar int32 T. */
  total: Value;
}

export interface AttentionResult {
  /** [B, T, h·d] context, before the output projection. */
  context: Value;
  /** This layer's keys (after RoPE) and values for the T real positions, [B, kv, T, d] (the KV cache entry). */
  key: Value;
  value: Value;
}

export function attention(g: GraphBuilder, x: AttentionInputs, shape: AttentionShape): AttentionResult {
  const { heads, kvHeads, headDim } = shape;
  const group = heads / kvHeads;
  const rotary = x.rotary;
  let q = rotary
    ? g.scope('q_rotary', () => applyRotary(g, x.q, rotary, heads, headDim))
    : g.reshape(x.q, [0, 0, heads, headDim]);
  const k = rotary
    ? g.scope('k_rotary', () => applyRotary(g, x.k, rotary, kvHeads, headDim))
    : g.reshape(x.k, [0, 0, kvHeads, headDim]);
  if (x.gqa && !x.prefix) return groupQueryAttention(g, x, x.gqa, q, k, shape);
  // Scaling q (T·d values) is cheaper than scaling the T·T scores.
  q = g.mul(q, g.f32(1 / Math.sqrt(headDim)));
  const qGrouped = g.reshape(g.transpose(q, [0, 2, 1, 3]), [0, kvHeads, group, -1, headDim]);
  const key = g.transpose(k, [0, 2, 1, 3]); // [B, kv, T, d]
  const value = g.transpose(g.reshape(x.v, [0, 0, kvHeads, headDim]), [0, 2, 1, 3]);
  let [kHeads, vHeads] = [key, value];
  if (x.prefix) {
    kHeads = g.concat([x.prefix.k, kHeads], 2);
    vHeads = g.concat([x.prefix.v, vHeads], 2);
  }
  const kT = g.unsqueeze(g.transpose(kHeads, [0, 1, 3, 2]), [2]); // [B, kv, 1, d, keys]
  const scores = g.add(g.matmul(qGrouped, kT), x.bias); // [B, kv, g, T, keys]
  const probs = g.op('Softmax', [scores], { axis: -1 });
  const context = g.matmul(probs, g.unsqueeze(vHeads, [2])); // [B, kv, g, T, d]
  const merged = g.transpose(g.reshape(context, [0, heads, -1, headDim]), [0, 2, 1, 3]);
  return { context: g.reshape(merged, [0, 0, heads * headDim]), key, value };
}

/**
 * The same attention in one contrib kernel (CPU): grouped heads natively, causal masking built in, and
 * the bias [B, 1, T, T] adding the padding mask, so left and right padding stay exact. Rows are all
 * declared full length: GroupQueryAttention's own seqlens_k masking assumes right padding only.
 */
function groupQueryAttention(
  g: GraphBuilder,
  x: AttentionInputs,
  lengths: GqaLengths,
  q: Value,
  k: Value,
  shape: AttentionShape,
): AttentionResult {
  const { heads, kvHeads, headDim } = shape;
  const flat = (t: Value, n: number) => g.reshape(t, [0, 0, n * headDim]);
  const [context, key, value] = g.ops(
    'GroupQueryAttention',
    [
      flat(q, heads),
      flat(k, kvHeads),
      x.v,
      '',
      '',
      lengths.seqlensK,
      lengths.total,
      '',
      '',
      '',
      g.squeeze(x.bias, [1]),
    ],
    { num_heads: heads, kv_num_heads: kvHeads, scale: { float: 1 / Math.sqrt(headDim) } },
    { domain: MS_DOMAIN, outputs: 3 },
  );
  if (!context || !key || !value) throw new Error('graph: GroupQueryAttention outputs missing');
  return { context, key, value };
}
