// A projection y = x·W (+ b) with the PEFT branches the plan asks for:
//
//   x ─► MatMul(W) ──────────────────────────────┬─► Add(b) ─► y
//   ├─► MatMul(Aᵀ) ─► Mul(α/r) ─► MatMul(Bᵀ) ────┤            (LoRA: A, B graph inputs)
//   └─► MatMul(V) ─► MatMul(Uᵀ) ─────────────────┘            (low-rank: ΔW = U·Vᵀ as stored)
//
// W is a pre-transposed initializer when frozen, or the stored tensor behind a Transpose when it is a
// graph input (the CPU EP folds Transpose+MatMul into FusedMatMul).
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
  let y: Value;
  if (weights.isInput(weight)) y = g.matmul(x, transposeStored(weights.stored(weight)));
  else y = g.matmul(x, storage === 'out_in' ? weights.frozenTransposed(weight) : weights.stored(weight));

  const lora = weights.plan.lora.get(weight.key);
  if (lora) {
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
