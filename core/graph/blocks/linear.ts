// A projection y = x·W (+ b) with the PEFT branches the plan asks for:
//
//   x ─► MatMul(W) ──────────────────────────────┬─► Add(b) ─► y
//   ├─► MatMul(Aᵀ) ─► Mul(α/r) ─► MatMul(Bᵀ) ────┤            (LoRA, branch form: A, B graph inputs)
//   └─► MatMul(V) ─► MatMul(Uᵀ) ─────────────────┘            (low-rank: ΔW = U·Vᵀ as stored)
//
//   LoRA, merged form:  x ─► MatMul(W + (α/r)·Aᵀ·Bᵀ) ─► y      (the [in, out] sum is built per run)
//
// W is a pre-transposed initializer when frozen, or the stored tensor behind a Transpose when it is a
// graph input (the CPU EP folds Transpose+MatMul into FusedMatMul). The branch form costs two skinny
// GEMMs and an add over every token; the merged form one small GEMM and an add over W, but W loses
// ORT's weight pre-packing. Which wins depends on tokens per batch vs the weight size (see the bench).
import type { WeightRef } from '../../models/types.ts';
import type { LinearStorage } from '../../peft/linear-dims.ts';
import type { GraphBuilder, Value } from '../builder.ts';
import type { WeightResolver } from '../weights.ts';

export function linear(
  g: GraphBuilder,
  weights: WeightResolver,
  x: Value,
  weight: WeightRef,
  bias: WeightRef | undefined,
  storage: LinearStorage,
): Value {
  const transposeStored = (w: Value) => (storage === 'out_in' ? g.transpose(w, [1, 0]) : w);
  let w: Value; // [in, out]
  if (weights.isInput(weight)) w = transposeStored(weights.stored(weight));
  else w = storage === 'out_in' ? weights.frozenTransposed(weight) : weights.stored(weight);

  const lora = weights.plan.lora.get(weight.key);
  if (lora && weights.loraForm === 'merged') {
    w = g.scope('lora_merged', () => {
      const scaledB = g.mul(g.transpose(lora.b, [1, 0]), g.f32(lora.scale)); // [r, out]
      return g.add(w, g.matmul(g.transpose(lora.a, [1, 0]), scaledB));
    });
  }
  let y = g.matmul(x, w);
  if (lora && weights.loraForm === 'branch') {
    y = g.scope('lora', () => {
      // Scale the rank-r intermediate, not the output: r columns instead of `out` per token.
      const down = g.mul(g.matmul(x, g.transpose(lora.a, [1, 0])), g.f32(lora.scale));
      return g.add(y, g.matmul(down, g.transpose(lora.b, [1, 0])));
    });
  }
  const lowrank = weights.plan.lowrank.get(weight.key);
  if (lowrank) {
    y = g.scope('lowrank', () => {
      // Stored [out, in]: x·(U·Vᵀ)ᵀ = (x·V)·Uᵀ.  Stored [in, out]: x·(U·Vᵀ) = (x·U)·Vᵀ.
      const [first, second] = storage === 'out_in' ? [lowrank.v, lowrank.u] : [lowrank.u, lowrank.v];
      return g.add(y, g.matmul(g.matmul(x, first), g.transpose(second, [1, 0])));
    });
  }
  return bias ? g.add(y, weights.stored(bias)) : y;
}
