// Parity with the fixtures' independent float64 references on the CPU EP, in every PEFT mode whose
// initial trainables leave the model unchanged (LoRA B = 0, full = the checkpoint, low-rank U = V = 0),
// for the fused build (contrib norms) and the plain-op build.
// Guards: RoPE convention and theta, GQA head grouping (repeat_kv), tied vs untied head, Qwen2 biases,
// GPT-2 Conv1D orientation and fused c_attn split, gelu_new, OPT's +2 position offset and pre-LN,
// positions from the mask for left padding, −100 label masking and the t → t+1 shift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../core/models/load.ts';
import type { Family, LoadedModel } from '../../core/models/types.ts';
import type { PeftConfig } from '../../core/peft/plan.ts';
import { Engine } from '../../core/runtime/engine.ts';
import path from 'node:path';
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

const MODES: { name: string; peft: PeftConfig; fused: boolean }[] = [
  { name: 'base, plain ops', peft: { kind: 'none' }, fused: false },
  { name: 'base, fused', peft: { kind: 'none' }, fused: true },
  // Targets are filled per family (LORA_TARGETS).
  { name: 'lora r4', peft: { kind: 'lora', rank: 4, alpha: 8 }, fused: true },
  { name: 'full', peft: { kind: 'full' }, fused: true },
  { name: 'lowrank r2', peft: { kind: 'lowrank', rank: 2 }, fused: true },
];

/** LoRA on attention inputs and outputs (and GPT-2's MLP c_proj, which shares the suffix). */
const LORA_TARGETS: Record<Family, string[]> = {
  llama: ['q_proj', 'v_proj', 'o_proj'],
  opt: ['q_proj', 'v_proj', 'out_proj'],
  gpt2: ['c_attn', 'c_proj'],
};

describe.each(['stories260k', ...TINY_MODELS])('%s on cpu', (name) => {
  const ref = readReference(name);
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(path.join(MODELS, name));
  });

  describe.each(MODES)('$name', ({ peft, fused }) => {
    let engine: Engine;
    let params: Float32Array[];
    beforeAll(async () => {
      const config = peft.kind === 'lora' ? { ...peft, targets: LORA_TARGETS[model.config.family] } : peft;
      engine = await Engine.create(model, { ep: 'cpu', peft: config, fused, outputs: { lastLogits: true } });
      params = engine.initialParams();
    });
    afterAll(async () => engine.dispose());

    it('matches every prompt (one right-padded batch)', async () => {
      const { batch, expected } = promptsBatch(ref);
      const out = await engine.forward(batch, params);
      expect(maxLossError(out.loss, expected.mean_nll)).toBeLessThan(ATOL);
      expect(
        maxFirst16Error(out.lastLogits as Float32Array, model.config.vocab, expected.last_logits_first16),
      ).toBeLessThan(ATOL);
    });

    it.runIf(ref.batches)('matches the reference left- and right-padded batches', async () => {
      for (const padded of [ref.batches?.left_padded, ref.batches?.right_padded]) {
        if (!padded) throw new Error('reference batches missing');
        const out = await engine.forward(toBatch(padded.input_ids, padded.attention_mask), params);
        expect(maxLossError(out.loss, padded.mean_nll)).toBeLessThan(ATOL);
        expect(
          maxFirst16Error(out.lastLogits as Float32Array, model.config.vocab, padded.last_logits_first16),
        ).toBeLessThan(ATOL);
      }
    });
  });
});
