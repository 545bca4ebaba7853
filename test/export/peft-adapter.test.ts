// The exported adapter against PEFT's documented layout, read back with the project's own safetensors
// reader: adapter_config.json fields (LoraConfig / PrefixTuningConfig as PEFT saves them) and
// adapter_model.safetensors keys `base_model.model.<module>.lora_A.weight` [r, in] / `.lora_B.weight`
// [out, r] with no adapter name, or `prompt_embeddings` [virtual tokens, layers·2·token_dim]. Then the
// import side: a round trip gives identical tensors, and bad adapters are refused with clear errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writePeftAdapter } from '../../core/export/peft-adapter.ts';
import { loadModel } from '../../core/models/load.ts';
import { readSafetensorsHeader, SafetensorsWeights } from '../../core/models/safetensors/read.ts';
import { writeSafetensors } from '../../core/models/safetensors/write.ts';
import type { LoadedModel } from '../../core/models/types.ts';
import { importPeftAdapter } from '../../core/peft/adapter-import.ts';
import { planPeft } from '../../core/peft/plan.ts';
import { MODELS, trainedParams } from './helpers.ts';

let out: string;
let llama: LoadedModel;
let gpt2: LoadedModel;
beforeAll(async () => {
  llama = await loadModel(join(MODELS, 'stories260k'));
  gpt2 = await loadModel(join(MODELS, 'tiny-random-gpt2'));
});
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'zo-adapter-'));
});
afterEach(() => {
  rmSync(out, { recursive: true, force: true });
});

const readConfig = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;

describe('LoRA adapter format', () => {
  it('matches PEFT for a Llama model (nn.Linear, grouped-query attention)', () => {
    const plan = planPeft(llama, { kind: 'lora', rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'] });
    writePeftAdapter(out, {
      model: llama,
      plan,
      params: trainedParams(plan),
      baseModel: 'karpathy/stories260K',
    });

    expect(readConfig(out)).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: 'karpathy/stories260K',
      r: 4,
      lora_alpha: 8,
      lora_dropout: 0,
      target_modules: ['q_proj', 'v_proj'],
      bias: 'none',
      fan_in_fan_out: false,
      inference_mode: true,
      use_rslora: false,
      use_dora: false,
      modules_to_save: null,
    });
    const header = readSafetensorsHeader(join(out, 'adapter_model.safetensors'));
    expect(header.metadata).toEqual({ format: 'pt' });
    const shapes = Object.fromEntries(header.tensors.map((t) => [t.name, [t.dtype, ...t.shape]]));
    const expected: Record<string, unknown[]> = {};
    for (let layer = 0; layer < 5; layer++) {
      const prefix = `base_model.model.model.layers.${layer}.self_attn`;
      // hidden 64; q_proj out 8 heads × 8 = 64, v_proj out 4 KV heads × 8 = 32.
      expected[`${prefix}.q_proj.lora_A.weight`] = ['float32', 4, 64];
      expected[`${prefix}.q_proj.lora_B.weight`] = ['float32', 64, 4];
      expected[`${prefix}.v_proj.lora_A.weight`] = ['float32', 4, 64];
      expected[`${prefix}.v_proj.lora_B.weight`] = ['float32', 32, 4];
    }
    expect(shapes).toEqual(expected);
    expect(header.tensors.some((t) => t.name.includes('.default.'))).toBe(false);
  });

  it('matches PEFT for GPT-2 (Conv1D: fan_in_fan_out, fused c_attn under transformer.)', () => {
    const plan = planPeft(gpt2, { kind: 'lora', rank: 2, alpha: 16 });
    writePeftAdapter(out, { model: gpt2, plan, params: trainedParams(plan), baseModel: 'gpt2' });
    expect(readConfig(out)).toMatchObject({
      fan_in_fan_out: true,
      target_modules: ['c_attn'],
      r: 2,
      lora_alpha: 16,
    });
    const header = readSafetensorsHeader(join(out, 'adapter_model.safetensors'));
    const a = header.tensors.find(
      (t) => t.name === 'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight',
    );
    const b = header.tensors.find(
      (t) => t.name === 'base_model.model.transformer.h.0.attn.c_attn.lora_B.weight',
    );
    expect(a?.shape).toEqual([2, 64]); // [r, in]
    expect(b?.shape).toEqual([192, 2]); // [out = 3·64, r]
    expect(header.tensors).toHaveLength(2 * gpt2.config.layers); // A and B of c_attn per layer
  });

  it('refuses parameters that do not match the plan', () => {
    const plan = planPeft(llama, { kind: 'lora', rank: 4, alpha: 8 });
    const params = trainedParams(plan).map((p, i) =>
      i === 1 ? { ...p, shape: [1, 1], data: new Float32Array(1) } : p,
    );
    expect(() => writePeftAdapter(out, { model: llama, plan, params, baseModel: 'x' })).toThrow(
      /lora_B\.weight" has shape \[1, 1\]; the model expects \[64, 4\]/,
    );
  });
});

describe('prefix adapter format', () => {
  it('matches PEFT prefix tuning without projection (GQA: token_dim = kv heads × head dim)', () => {
    const plan = planPeft(llama, { kind: 'prefix', tokens: 6 });
    writePeftAdapter(out, {
      model: llama,
      plan,
      params: trainedParams(plan),
      baseModel: 'karpathy/stories260K',
    });
    expect(readConfig(out)).toMatchObject({
      peft_type: 'PREFIX_TUNING',
      task_type: 'CAUSAL_LM',
      num_virtual_tokens: 6,
      token_dim: 32,
      num_transformer_submodules: 1,
      num_attention_heads: 4,
      num_layers: 5,
      encoder_hidden_size: 32,
      prefix_projection: false,
      inference_mode: true,
    });
    const header = readSafetensorsHeader(join(out, 'adapter_model.safetensors'));
    expect(header.tensors.map((t) => [t.name, t.shape])).toEqual([['prompt_embeddings', [6, 5 * 2 * 32]]]);
  });

  it('has no adapter form for a full fine-tune', () => {
    const plan = planPeft(llama, { kind: 'full' });
    expect(() => writePeftAdapter(out, { model: llama, plan, params: [], baseModel: 'x' })).toThrow(
      /a "full" run has no PEFT adapter form; export it as a merged model/,
    );
  });
});

describe('import', () => {
  it('round-trips LoRA and prefix adapters to identical tensors', () => {
    for (const [model, peft] of [
      [llama, { kind: 'lora', rank: 4, alpha: 8, targets: ['q_proj', 'k_proj', 'down_proj'] }],
      [gpt2, { kind: 'lora', rank: 3, alpha: 6 }],
      [llama, { kind: 'prefix', tokens: 3 }],
    ] as const) {
      const plan = planPeft(model, peft);
      const params = trainedParams(plan, 7);
      const dir = join(out, `${model.config.family}-${peft.kind}`);
      writePeftAdapter(dir, { model, plan, params, baseModel: 'base' });
      const imported = importPeftAdapter(dir, model);
      expect(imported.params.map((p) => p.name)).toEqual(params.map((p) => p.name));
      imported.params.forEach((p, i) => {
        expect(p.shape).toEqual(params[i]!.shape);
        expect(
          Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).equals(
            Buffer.from(params[i]!.data.buffer),
          ),
        ).toBe(true);
      });
      expect(imported.baseModel).toBe('base');
      expect(imported.peft.kind).toBe(peft.kind);
    }
  });

  it('folds rsLoRA scaling into alpha and accepts half-precision adapters', () => {
    const plan = planPeft(llama, { kind: 'lora', rank: 4, alpha: 8 });
    const params = trainedParams(plan);
    writePeftAdapter(out, { model: llama, plan, params, baseModel: 'b' });
    const config = readConfig(out);
    writeFileSync(join(out, 'adapter_config.json'), JSON.stringify({ ...config, use_rslora: true }));
    // Re-save the weights as float16, as adapters trained in half precision are.
    const weights = new SafetensorsWeights([readSafetensorsHeader(join(out, 'adapter_model.safetensors'))]);
    const tensors = [...weights.tensors.values()].map((t) => ({
      name: t.name,
      dtype: 'float16' as const,
      shape: t.shape,
      data: weights.readFloat32(t.name).slice(),
    }));
    writeSafetensors(join(out, 'adapter_model.safetensors'), tensors, { format: 'pt' });
    const imported = importPeftAdapter(out, llama);
    expect(imported.peft).toMatchObject({ kind: 'lora', rank: 4, alpha: 16 }); // 8·√4
    expect(imported.notes[0]).toMatch(/rsLoRA/);
    // float16 keeps 11 significant bits: values within 2^-11 relative of the originals.
    imported.params.forEach((param, i) =>
      param.data.forEach((value, j) =>
        expect(Math.abs(value - params[i]!.data[j]!)).toBeLessThanOrEqual(
          Math.abs(params[i]!.data[j]!) * 2 ** -11 + 1e-7,
        ),
      ),
    );
  });

  it('refuses adapters that do not fit, naming the file and the field or tensor', () => {
    const gpt2Plan = planPeft(gpt2, { kind: 'lora', rank: 2, alpha: 4 });
    writePeftAdapter(out, {
      model: gpt2,
      plan: gpt2Plan,
      params: trainedParams(gpt2Plan),
      baseModel: 'gpt2',
    });
    expect(() => importPeftAdapter(out, llama)).toThrow(
      /adapter_model\.safetensors: has LoRA weights for "transformer\.h\.0\.attn\.c_attn", which target_modules \["c_attn"\]|adapter_config\.json: does not fit the model .*c_attn/,
    );

    const plan = planPeft(llama, { kind: 'lora', rank: 4, alpha: 8 });
    writePeftAdapter(out, { model: llama, plan, params: trainedParams(plan), baseModel: 'b' });
    const config = readConfig(out);
    const withConfig = (patch: Record<string, unknown>) =>
      writeFileSync(join(out, 'adapter_config.json'), JSON.stringify({ ...config, ...patch }));

    withConfig({ peft_type: 'IA3' });
    expect(() => importPeftAdapter(out, llama)).toThrow(
      /adapter_config\.json: field "peft_type" is "IA3"; supported: "LORA", "PREFIX_TUNING"/,
    );
    withConfig({ use_dora: true });
    expect(() => importPeftAdapter(out, llama)).toThrow(
      /field "use_dora" is true: DoRA adapters are not supported/,
    );
    withConfig({ r: 0 });
    expect(() => importPeftAdapter(out, llama)).toThrow(/adapter_config\.json: invalid adapter config\n.*r/s);
    withConfig({ r: 8 });
    expect(() => importPeftAdapter(out, llama)).toThrow(
      /adapter_model\.safetensors: tensor "base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_A\.weight" has shape \[4, 64\]; the model in .* needs \[8, 64\]/,
    );
    withConfig({ target_modules: ['q_proj', 'v_proj', 'k_proj'] });
    expect(() => importPeftAdapter(out, llama)).toThrow(
      /lacks 10 tensor\(s\) the config implies for this model, e\.g\. ".*k_proj\.lora_A\.weight"/,
    );
    withConfig({ target_modules: 'model\\.layers\\.[0-4]\\.self_attn\\.(q|v)_proj' });
    expect(importPeftAdapter(out, llama).params).toHaveLength(20); // PEFT's regex form (full match)
    withConfig({ target_modules: 'all-linear' });
    expect(importPeftAdapter(out, llama).params).toHaveLength(20);

    withConfig({});
    renameSync(join(out, 'adapter_model.safetensors'), join(out, 'adapter_model.bin'));
    expect(() => importPeftAdapter(out, llama)).toThrow(
      /adapter_model\.safetensors: missing; only adapter_model\.bin \(a PyTorch pickle\)/,
    );
  });
});
