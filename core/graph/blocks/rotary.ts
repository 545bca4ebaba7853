// Rotary position embeddings, Hugging Face "rotate_half" convention: the head dimension is split in two
// halves (not interleaved pairs), and x' = x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂, x₁].
//
//   positions ─► Gather(cos table), Gather(sin table) ─► [B, T, 1, d]
//   x [B,T,h,d] ─► Split ─► Concat(−x₂, x₁) ─► ·sin ─┐
//   x ─────────────────────────────────────► ·cos ───┴─► Add
import type { GraphBuilder, Value } from '../builder.ts';

export interface RotaryTables {
  cos: Value;
  sin: Value;
}

/** cos/sin tables [maxPositions, headDim] computed in float64 (HF: inv_freq = θ^(−2i/d)). */
export function rotaryTables(
  g: GraphBuilder,
  maxPositions: number,
  headDim: number,
  theta: number,
): RotaryTables {
  const half = headDim / 2;
  const cos = new Float32Array(maxPositions * headDim);
  const sin = new Float32Array(maxPositions * headDim);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(theta, (-2 * i) / headDim);
      for (const j of [i, i + half]) {
        cos[p * headDim + j] = Math.cos(angle);
        sin[p * headDim + j] = Math.sin(angle);
      }
    }
  }
  return {
    cos: g.weight('/rotary/cos_table', [maxPositions, headDim], () => cos),
    sin: g.weight('/rotary/sin_table', [maxPositions, headDim], () => sin),
  };
}

/** Gathers the tables at `positions` [B, T] → cos, sin shaped [B, T, 1, d] (broadcast over heads). */
export function rotaryAt(g: GraphBuilder, tables: RotaryTables, positions: Value): RotaryTables {
  return g.scope('rotary', () => ({
    cos: g.unsqueeze(g.op('Gather', [tables.cos, positions]), [2]),
    sin: g.unsqueeze(g.op('Gather', [tables.sin, positions]), [2]),
  }));
}

/** Applies RoPE to x [B, T, heads, d]. */
export function applyRotary(g: GraphBuilder, x: Value, at: RotaryTables, headDim: number): Value {
  const half = headDim / 2;
  const [x1, x2] = g.ops('Split', [x, g.i64([half, half])], { axis: -1 }, { outputs: 2 });
  if (!x1 || !x2) throw new Error('graph: rotary Split outputs missing');
  const rotated = g.concat([g.op('Neg', [x2]), x1], -1);
  return g.add(g.mul(x, at.cos), g.mul(rotated, at.sin));
}
