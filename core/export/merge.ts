// Folding trained tensors back into the base weights, for merged exports.
//   LoRA   W' = W + (α/r)·B·A          nn.Linear (Llama, OPT) stores W as [out, in]
//          W' = W + (α/r)·(B·A)ᵀ      GPT-2 Conv1D stores W as [in, out] (PEFT's fan_in_fan_out)
//   full   W' = the trained tensor itself
// The result is an overlay: a LoadedModel whose weight source answers the merged tensors from memory
// and everything else from the original files, so graph builders and writers need no special case.
import type { Params } from '../estimators/types.ts';
import type { LoadedModel, WeightSource } from '../models/types.ts';
import { encodeFloat32 } from '../models/safetensors/write.ts';
import { linearStorage } from '../peft/linear-dims.ts';
import type { PeftPlan } from '../peft/plan.ts';

/** Checkpoint key → merged float32 values, for every base tensor the trained params change. */
export function mergedWeights(model: LoadedModel, plan: PeftPlan, params: Params): Map<string, Float32Array> {
  const byName = new Map(params.map((param) => [param.name, param]));
  const find = (name: string, shape: readonly number[]): Float32Array => {
    const param = byName.get(name);
    if (!param) throw new Error(`merge: the trained parameters have no tensor "${name}"`);
    if (param.shape.join() !== shape.join()) {
      throw new Error(
        `merge: "${name}" has shape [${param.shape.join(', ')}], the plan expects [${shape.join(', ')}]`,
      );
    }
    return param.data;
  };
  const merged = new Map<string, Float32Array>();
  switch (plan.config.kind) {
    case 'full':
      for (const trainable of plan.trainables)
        merged.set(trainable.name, find(trainable.name, trainable.shape).slice());
      return merged;
    case 'lora': {
      const storage = linearStorage(model.config.family);
      for (const [key, branch] of plan.lora) {
        const info = model.weights.tensors.get(key);
        if (!info) throw new Error(`merge: the base model has no weight "${key}"`);
        const [rows, cols] = info.shape as [number, number];
        const [outDim, inDim] = storage === 'out_in' ? [rows, cols] : [cols, rows];
        const a = find(branch.a, [branch.rank, inDim]);
        const b = find(branch.b, [outDim, branch.rank]);
        const weight = model.weights.readFloat32(key).slice();
        addScaledProduct(weight, b, a, outDim, inDim, branch.rank, branch.scale, storage === 'in_out');
        merged.set(key, weight);
      }
      return merged;
    }
    case 'prefix':
      throw new Error(
        'merge: a prefix-tuning run adds virtual tokens, not weight deltas, so it cannot be merged into the ' +
          'model; export it as a PEFT adapter (--format peft) instead',
      );
    default:
      throw new Error(`merge: PEFT mode "${plan.config.kind}" cannot be merged`);
  }
}

/**
 * weight += scale · B·A, B [out, r], A [r, in]. `transposed` adds (B·A)ᵀ to a weight stored [in, out].
 * Accumulates in float64 per element so the merge adds no error beyond the final float32 rounding.
 */
function addScaledProduct(
  weight: Float32Array,
  b: Float32Array,
  a: Float32Array,
  outDim: number,
  inDim: number,
  rank: number,
  scale: number,
  transposed: boolean,
): void {
  for (let o = 0; o < outDim; o++) {
    for (let i = 0; i < inDim; i++) {
      let sum = 0;
      for (let k = 0; k < rank; k++) sum += (b[o * rank + k] as number) * (a[k * inDim + i] as number);
      const index = transposed ? i * outDim + o : o * inDim + i;
      weight[index] = (weight[index] as number) + scale * sum;
    }
  }
}

/** `model` with `overrides` (checkpoint key → float32 values) in place of the stored tensors. */
export function withWeights(model: LoadedModel, overrides: ReadonlyMap<string, Float32Array>): LoadedModel {
  const base = model.weights;
  const weights: WeightSource = {
    tensors: base.tensors,
    readFloat32: (name) => overrides.get(name)?.slice() ?? base.readFloat32(name),
    readRaw: (name) => {
      const values = overrides.get(name);
      const info = base.tensors.get(name);
      // Merged values go back to the stored dtype, so a float16 model exports as float16.
      return values && info ? encodeFloat32(values, info.dtype).slice() : base.readRaw(name);
    },
  };
  return { ...model, weights };
}
