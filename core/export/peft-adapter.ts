// Writes a trained LoRA or prefix run as a Hugging Face PEFT adapter folder, loadable with
// `PeftModel.from_pretrained(base, dir)`:
//   adapter_config.json         PEFT's LoraConfig / PrefixTuningConfig fields, base model recorded
//   adapter_model.safetensors   LoRA: base_model.model.<module>.lora_A.weight [r, in], .lora_B.weight [out, r]
//                               prefix: prompt_embeddings [virtual tokens, layers·2·token_dim]
// The trainables are already named by PEFT's state-dict keys (core/peft/plan.ts), so the tensors are
// written as they are; this module only checks them against the plan and writes PEFT's config.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Params } from '../estimators/types.ts';
import type { LoadedModel } from '../models/types.ts';
import { writeSafetensors } from '../models/safetensors/write.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../peft/adapter-import.ts';
import type { PeftPlan } from '../peft/plan.ts';

export interface AdapterExport {
  model: LoadedModel;
  plan: PeftPlan;
  params: Params;
  /** Recorded as base_model_name_or_path: a hub id or the local model folder. */
  baseModel: string;
}

/** Writes the adapter folder; returns the files written and their total size. */
export function writePeftAdapter(outDir: string, adapter: AdapterExport): { files: string[]; bytes: number } {
  const config = adapterConfig(adapter);
  const byName = new Map(adapter.params.map((param) => [param.name, param]));
  const tensors = adapter.plan.trainables.map((trainable) => {
    const param = byName.get(trainable.name);
    if (!param) throw new Error(`export: the run's parameters have no tensor "${trainable.name}"`);
    if (param.shape.join() !== trainable.shape.join()) {
      throw new Error(
        `export: "${trainable.name}" has shape [${param.shape.join(', ')}]; the model expects [${trainable.shape.join(', ')}]`,
      );
    }
    return { name: trainable.name, dtype: 'float32' as const, shape: trainable.shape, data: param.data };
  });
  mkdirSync(outDir, { recursive: true });
  const configText = `${JSON.stringify(config, null, 2)}\n`;
  const configPath = join(outDir, ADAPTER_CONFIG_FILE);
  writeFileSync(configPath, configText);
  const weightsPath = join(outDir, ADAPTER_WEIGHTS_FILE);
  // PEFT saves {"format": "pt"}; transformers refuses safetensors files without a known format tag.
  const weightBytes = writeSafetensors(weightsPath, tensors, { format: 'pt' });
  return { files: [configPath, weightsPath], bytes: Buffer.byteLength(configText) + weightBytes };
}

/** adapter_config.json as PEFT writes it (every field of the saved dataclass, defaults included). */
export function adapterConfig({ model, plan, baseModel }: AdapterExport): Record<string, unknown> {
  const common = {
    base_model_name_or_path: baseModel,
    revision: null,
    task_type: 'CAUSAL_LM',
    inference_mode: true,
    auto_mapping: null,
  };
  const peft = plan.config;
  if (peft.kind === 'lora') {
    return {
      ...common,
      peft_type: 'LORA',
      r: peft.rank,
      lora_alpha: peft.alpha,
      lora_dropout: 0,
      // PEFT and core/peft match targets the same way (the whole module path or a dotted suffix of it),
      // so the run's list is kept; without one, the module names the plan's defaults picked.
      target_modules: peft.targets
        ? [...peft.targets]
        : [...new Set([...plan.lora.values()].map((b) => moduleName(b.a)))],
      // GPT-2's Conv1D stores weights [in, out]; PEFT needs this flag to merge them the right way round.
      fan_in_fan_out: model.config.family === 'gpt2',
      bias: 'none',
      use_rslora: false,
      use_dora: false,
      modules_to_save: null,
      init_lora_weights: true,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
    };
  }
  if (peft.kind === 'prefix') {
    const { layers, kvHeads, headDim } = model.config;
    // PEFT sizes prefix keys/values by the KV heads (grouped-query attention): token_dim = kvHeads·headDim.
    const tokenDim = kvHeads * headDim;
    return {
      ...common,
      peft_type: 'PREFIX_TUNING',
      num_virtual_tokens: peft.tokens,
      token_dim: tokenDim,
      num_transformer_submodules: 1,
      num_attention_heads: kvHeads,
      num_layers: layers,
      encoder_hidden_size: tokenDim,
      prefix_projection: false,
    };
  }
  throw new Error(
    `export: a "${peft.kind}" run has no PEFT adapter form; export it as a merged model (--format merged or onnx)`,
  );
}

/** `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight` → `q_proj`. */
function moduleName(loraKey: string): string {
  const module = loraKey.replace(/\.lora_[AB]\.weight$/, '');
  return module.slice(module.lastIndexOf('.') + 1);
}
