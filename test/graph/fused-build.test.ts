// Which kernels each build asks ORT for: the fused CPU build must use the contrib ops the benchmark
// bar depends on (RoPE, attention, residual+RMSNorm in one kernel each), and the plain build, which WebGPU
// runs and the benchmark compares against, must use none. Numbers are checked by test/parity.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MS_DOMAIN } from '../../core/graph/builder.ts';
import { buildTrainingGraph } from '../../core/graph/training-graph.ts';
import { loadModel } from '../../core/models/load.ts';
import type { LoadedModel } from '../../core/models/types.ts';
import { MODELS } from '../parity/reference-fixture.ts';

function opCounts(model: LoadedModel, fused: boolean): Map<string, number> {
  const { graph } = buildTrainingGraph(model, { peft: { kind: 'none' }, fused });
  const counts = new Map<string, number>();
  for (const node of graph.nodes) {
    const key = node.domain === MS_DOMAIN ? `${MS_DOMAIN}.${node.opType}` : node.opType;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('fused vs plain build (stories260k, Llama family)', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(path.join(MODELS, 'stories260k'));
  });

  it('fused: RotaryEmbedding per q and k, GroupQueryAttention per layer, SkipSimplifiedLayerNormalization per residual', () => {
    const layers = model.config.layers;
    const counts = opCounts(model, true);
    expect(counts.get(`${MS_DOMAIN}.RotaryEmbedding`)).toBe(2 * layers);
    expect(counts.get(`${MS_DOMAIN}.GroupQueryAttention`)).toBe(layers);
    expect(counts.get('Softmax')).toBeUndefined(); // attention core is inside the contrib kernel
    expect(counts.get(`${MS_DOMAIN}.SkipSimplifiedLayerNormalization`)).toBe(2 * layers);
    // Only the first norm has no residual to fuse.
    expect(counts.get('SimplifiedLayerNormalization')).toBe(1);
    expect(counts.get('Neg')).toBeUndefined(); // rotate_half is gone
  });

  it('plain: standard ONNX ops only', () => {
    const counts = opCounts(model, false);
    const contrib = [...counts.keys()].filter(
      (k) => k.startsWith(`${MS_DOMAIN}.`) || k === 'SimplifiedLayerNormalization',
    );
    expect(contrib).toEqual([]);
    expect(counts.get('Neg')).toBe(2 * model.config.layers);
    expect(counts.get('Softmax')).toBe(model.config.layers);
  });
});
