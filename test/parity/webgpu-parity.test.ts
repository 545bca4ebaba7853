// The same parity as cpu-parity.test.ts on the WebGPU EP (software Vulkan here, so it is slow: one
// batch per engine, plain-op graphs as the engine builds them for GPUs). stories260k runs in every PEFT
// mode whose start is the base model; each tiny-random model runs its left-padded batch in base mode.
// Skipped, with the reason, only where this machine has no WebGPU adapter.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../core/models/load.ts';
import type { PeftConfig } from '../../core/peft/plan.ts';
import { webgpu } from '../helpers/webgpu.ts';
import { Engine } from '../../core/runtime/engine.ts';
import type { Batch } from '../../core/runtime/batch.ts';
import {
  ATOL,
  MODELS,
  TINY_MODELS,
  maxFirst16Error,
  maxLossError,
  promptsBatch,
  readReference,
  toBatch,
} from './reference-fixture.ts';

async function expectParity(
  name: string,
  peft: PeftConfig,
  batch: Batch,
  meanNll: number[],
  first16: number[][],
) {
  const model = await loadModel(path.join(MODELS, name));
  const engine = await Engine.create(model, { ep: 'webgpu', peft, outputs: { lastLogits: true } });
  try {
    expect(engine.ep).toBe('webgpu');
    const out = await engine.forward(batch, engine.initialParams());
    expect(maxLossError(out.loss, meanNll)).toBeLessThan(ATOL);
    expect(maxFirst16Error(out.lastLogits as Float32Array, model.config.vocab, first16)).toBeLessThan(ATOL);
  } finally {
    await engine.dispose();
  }
}

describe.skipIf(!webgpu.available)('webgpu parity', () => {
  const stories = readReference('stories260k');
  const prompts = promptsBatch(stories);
  it.each<{ mode: string; peft: PeftConfig }>([
    { mode: 'base', peft: { kind: 'none' } },
    { mode: 'lora', peft: { kind: 'lora', rank: 4, alpha: 8 } },
    { mode: 'full', peft: { kind: 'full' } },
    { mode: 'lowrank', peft: { kind: 'lowrank', rank: 2 } },
  ])('stories260k, $mode mode, every prompt', async ({ peft }) => {
    await expectParity(
      'stories260k',
      peft,
      prompts.batch,
      prompts.expected.mean_nll,
      prompts.expected.last_logits_first16,
    );
  });

  it.each(TINY_MODELS)('%s, left-padded reference batch', async (name) => {
    const padded = readReference(name).batches?.left_padded;
    if (!padded) throw new Error(`${name}: reference.json has no batches`);
    await expectParity(
      name,
      { kind: 'none' },
      toBatch(padded.input_ids, padded.attention_mask),
      padded.mean_nll,
      padded.last_logits_first16,
    );
  });
});
