// Rotary position embeddings, Hugging Face "rotate_half" convention: the head dimension is split in two
// halves (not interleaved pairs), and x' = x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂, x₁].
//
// Plain form (every EP):
//   positions ─► Gather(cos table), Gather(sin table) ─► [B, T, 1, d]
//   x [B,T,h,d] ─► Split ─► Concat(−x₂, x₁) ─► ·sin ─┐
//   x ─────────────────────────────────────► ·cos ───┴─► Add
// Fused form (CPU build): one com.microsoft RotaryEmbedding per q/k, which gathers its half-width
// tables by position itself. The plain form's six element-wise passes cost ≈70 ms of a 4.7 s 16×64
// pass on the 135M shape (ORT profile, core/graph/DESIGN.md); the contrib kernel is one pass.
import type { GraphBuilder, Value } from '../builder.ts';
import { MS_DOMAIN } from '../builder.ts';

export type Rotary =
  /** cos/sin already gathered at the positions, [B, T, 1, d]. */
  | { kind: 'gathered'; cos: Value; sin: Value }
  /** Half-width tables [maxPositions, d/2] and the positions [B, T] the contrib op gathers them at. */
  | { kind: 'contrib'; cosTable: Value; sinTable: Value; positions: Value };

/** cos/sin of position·θ^(−2i/d) for i < d/2, in float64 then rounded: [maxPositions, d/2] each. */
function halfTables(maxPositions: number, headDim: number, theta: number) {
  const half = headDim / 2;
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(theta, (-2 * i) / headDim);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** [maxPositions, d/2] → [maxPositions, d]: each row's half repeated (rotate_half pairs i with i + d/2). */
function fullWidth(table: Float32Array, maxPositions: number, half: number): Float32Array {
  const out = new Float32Array(maxPositions * half * 2);
  for (let p = 0; p < maxPositions; p++) {
    const row = table.subarray(p * half, (p + 1) * half);
    out.set(row, p * 2 * half);
    out.set(row, p * 2 * half + half);
  }
  return out;
}

/** The rotary tables for `positions` [B, T] (HF: inv_freq = θ^(−2i/d)), in the form `fused` asks for. */
export function rotaryAt(
  g: GraphBuilder,
  positions: Value,
  maxPositions: number,
  headDim: number,
  theta: number,
  fused: boolean,
): Rotary {
  return g.scope('rotary', () => {
    const half = headDim / 2;
    const tables = halfTables(maxPositions, headDim, theta);
    if (fused) {
      return {
        kind: 'contrib',
        cosTable: g.weight('/rotary/cos_half', [maxPositions, half], () => tables.cos),
        sinTable: g.weight('/rotary/sin_half', [maxPositions, half], () => tables.sin),
        positions,
      };
    }
    const table = (name: string, values: Float32Array) =>
      g.weight(name, [maxPositions, headDim], () => fullWidth(values, maxPositions, half));
    const gather = (t: Value) => g.unsqueeze(g.op('Gather', [t, positions]), [2]);
    return {
      kind: 'gathered',
      cos: gather(table('/rotary/cos_table', tables.cos)),
      sin: gather(table('/rotary/sin_table', tables.sin)),
    };
  });
}

/** Applies RoPE to x [B, T, heads·d]; returns [B, T, heads, d]. */
export function applyRotary(
  g: GraphBuilder,
  x: Value,
  rotary: Rotary,
  heads: number,
  headDim: number,
): Value {
  if (rotary.kind === 'contrib') {
    const rotated = g.op(
      'RotaryEmbedding',
      [x, rotary.positions, rotary.cosTable, rotary.sinTable],
      { interleaved: 0, num_heads: heads },
      { domain: MS_DOMAIN },
    );
    return g.reshape(rotated, [0, 0, heads, headDim]);
  }
  const heads4d = g.reshape(x, [0, 0, heads, headDim]);
  const half = headDim / 2;
  const [x1, x2] = g.ops('Split', [heads4d, g.i64([half, half])], { axis: -1 }, { outputs: 2 });
  if (!x1 || !x2) throw new Error('graph: rotary Split outputs missing');
  const rotatedHalf = g.concat([g.op('Neg', [x2]), x1], -1);
  return g.add(g.mul(heads4d, rotary.cos), g.mul(rotatedHalf, rotary.sin));
}
