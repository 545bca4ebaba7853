// Resolves checkpoint weights to graph values per the PEFT plan: a trainable weight is a graph input
// (declared once, under its checkpoint key), a frozen one an initializer read lazily from the checkpoint.
// Frozen nn.Linear weights are transposed to [in, out] once here, so every projection is a plain MatMul
// whose constant right-hand side ORT can pre-pack.
import type { LoadedModel, WeightRef } from '../models/types.ts';
import type { PeftPlan } from '../peft/plan.ts';
import type { GraphBuilder, Value } from './builder.ts';

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

/** How LoRA enters a projection; see blocks/linear.ts. */
export type LoraForm = 'branch' | 'merged';

export class WeightResolver {
  private frozen = new Map<string, Value>();
  private readonly g: GraphBuilder;
  private readonly model: LoadedModel;
  readonly plan: PeftPlan;
  readonly loraForm: LoraForm;

  constructor(g: GraphBuilder, model: LoadedModel, plan: PeftPlan, loraForm: LoraForm) {
    this.loraForm = loraForm;
    this.g = g;
    this.model = model;
    this.plan = plan;
    // Trainables are declared up front, in plan order, so every one exists even if a builder skips it.
    for (const t of plan.trainables) g.input(t.name, 'float32', t.shape);
  }

  isInput(ref: WeightRef): boolean {
    return this.plan.weightInputs.has(ref.key);
  }

  /** The tensor as stored ([out, in] for nn.Linear). */
  stored(ref: WeightRef): Value {
    if (this.isInput(ref)) return ref.key;
    return this.cached(ref.key, () =>
      this.g.weight(ref.key, ref.shape, () => this.model.weights.readFloat32(ref.key)),
    );
  }

  /** A frozen [out, in] weight as an [in, out] initializer. */
  frozenTransposed(ref: WeightRef): Value {
    const [rows, cols] = ref.shape as [number, number];
    const name = `${ref.key}:transposed`;
    return this.cached(name, () =>
      this.g.weight(name, [cols, rows], () =>
        transpose2d(this.model.weights.readFloat32(ref.key), rows, cols),
      ),
    );
  }

  private cached(name: string, make: () => Value): Value {
    let value = this.frozen.get(name);
    if (value === undefined) {
      value = make();
      this.frozen.set(name, value);
    }
    return value;
  }
}
