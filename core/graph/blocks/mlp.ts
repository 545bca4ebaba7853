// Feed-forward blocks.
//   swiglu:   x ─► gate ─► SiLU ─┐
//             x ─► up ──────────►Mul ─► down
//   gelu_new / relu:  x ─► up ─► act ─► down
import type { LayerWeight, WeightRef } from '../../models/types.ts';
import type { LinearStorage } from '../../peft/linear-dims.ts';
import type { GraphBuilder, Value } from '../builder.ts';
import type { WeightResolver } from '../weights.ts';
import { linear } from './linear.ts';

export type MlpKind = 'swiglu' | 'gelu_new' | 'relu';

type LayerRefs = Partial<Record<LayerWeight, WeightRef>>;

function need(layer: LayerRefs, role: LayerWeight): WeightRef {
  const ref = layer[role];
  if (!ref) throw new Error(`graph: layer weight "${role}" missing from the model layout`);
  return ref;
}

/** gelu_new (GPT-2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the tanh approximation. */
function geluNew(g: GraphBuilder, x: Value): Value {
  const cube = g.mul(g.mul(x, x), x);
  const inner = g.mul(g.add(x, g.mul(cube, g.f32(0.044715))), g.f32(Math.sqrt(2 / Math.PI)));
  return g.mul(g.mul(x, g.f32(0.5)), g.add(g.op('Tanh', [inner]), g.f32(1)));
}

export function mlp(
  g: GraphBuilder,
  weights: WeightResolver,
  x: Value,
  layer: LayerRefs,
  kind: MlpKind,
  storage: LinearStorage,
): Value {
  const proj = (name: string, input: Value, role: LayerWeight, bias?: LayerWeight) =>
    g.scope(name, () =>
      linear(g, weights, input, need(layer, role), bias ? layer[bias] : undefined, storage),
    );
  if (kind === 'swiglu') {
    const gate = proj('gate_proj', x, 'gate');
    const silu = g.mul(gate, g.op('Sigmoid', [gate]));
    return proj('down_proj', g.mul(silu, proj('up_proj', x, 'up')), 'down');
  }
  const up = proj('up_proj', x, 'up', 'upBias');
  const act = kind === 'relu' ? g.op('Relu', [up]) : g.scope('gelu_new', () => geluNew(g, up));
  return proj('down_proj', act, 'down', 'downBias');
}
