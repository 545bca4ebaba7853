// Reads a Hugging Face PEFT adapter folder (adapter_config.json + adapter_model.safetensors) onto a base
// model, for continued training or evaluation. Everything is checked against the model before use —
// config fields, tensor names, shapes — and every error names the file and the field or tensor.
// Supported: LoRA (incl. rsLoRA, folded into α) and prefix tuning without projection; other PEFT types,
// DoRA, bias training, per-module ranks and modules_to_save are refused with the reason.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Params } from '../estimators/types.ts';
import { ModelLoadError } from '../models/errors.ts';
import { readSafetensorsHeader, SafetensorsWeights } from '../models/safetensors/read.ts';
import type { LoadedModel } from '../models/types.ts';
import { planPeft } from './plan.ts';
import type { PeftConfig, PeftPlan } from './plan.ts';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

const LoraConfigSchema = z.looseObject({
  peft_type: z.literal('LORA'),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  target_modules: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]),
  bias: z.string().default('none'),
  use_rslora: z.boolean().default(false),
  use_dora: z.boolean().default(false),
  modules_to_save: z.array(z.string()).nullable().default(null),
  rank_pattern: z.record(z.string(), z.unknown()).nullable().default({}),
  alpha_pattern: z.record(z.string(), z.unknown()).nullable().default({}),
  layers_to_transform: z.unknown().default(null),
  base_model_name_or_path: z.string().nullable().default(null),
});

const PrefixConfigSchema = z.looseObject({
  peft_type: z.literal('PREFIX_TUNING'),
  num_virtual_tokens: z.number().int().positive(),
  token_dim: z.number().int().positive(),
  num_layers: z.number().int().positive(),
  num_attention_heads: z.number().int().positive(),
  num_transformer_submodules: z.number().int().positive().nullable().default(1),
  prefix_projection: z.boolean().default(false),
  base_model_name_or_path: z.string().nullable().default(null),
});

export interface ImportedAdapter {
  peft: PeftConfig;
  plan: PeftPlan;
  /** The adapter's tensors as float32, in the plan's trainable order (what Engine.forward takes). */
  params: Params;
  baseModel: string | null;
  /** Conversions worth telling the user about (e.g. rsLoRA scaling folded into α). */
  notes: string[];
}

export function importPeftAdapter(dir: string, model: LoadedModel): ImportedAdapter {
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_FILE);
  if (!existsSync(configPath))
    throw new ModelLoadError(configPath, 'missing; a PEFT adapter folder needs adapter_config.json');
  if (!existsSync(weightsPath)) {
    const hasPickle = existsSync(join(dir, 'adapter_model.bin'));
    throw new ModelLoadError(
      weightsPath,
      hasPickle
        ? 'missing; only adapter_model.bin (a PyTorch pickle) is present, which is not read for safety. Re-save the adapter with safe_serialization=True'
        : 'missing; a PEFT adapter folder needs adapter_model.safetensors',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new ModelLoadError(configPath, `is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const peftType = (raw as { peft_type?: unknown } | null)?.peft_type;
  const weights = new SafetensorsWeights([readSafetensorsHeader(weightsPath)]);
  if (peftType === 'LORA')
    return importLora(parse(LoraConfigSchema, raw, configPath), weights, weightsPath, configPath, model);
  if (peftType === 'PREFIX_TUNING')
    return importPrefix(parse(PrefixConfigSchema, raw, configPath), weights, weightsPath, configPath, model);
  throw new ModelLoadError(
    configPath,
    `field "peft_type" is ${JSON.stringify(peftType)}; supported: "LORA", "PREFIX_TUNING"`,
  );
}

function parse<T extends z.ZodType>(schema: T, raw: unknown, file: string): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success)
    throw new ModelLoadError(file, `invalid adapter config\n${z.prettifyError(result.error)}`);
  return result.data;
}

const LORA_KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

function importLora(
  config: z.infer<typeof LoraConfigSchema>,
  weights: SafetensorsWeights,
  weightsPath: string,
  configPath: string,
  model: LoadedModel,
): ImportedAdapter {
  const unsupported = (field: string, value: unknown, why: string) =>
    new ModelLoadError(configPath, `field "${field}" is ${JSON.stringify(value)}: ${why}`);
  if (config.use_dora) throw unsupported('use_dora', true, 'DoRA adapters are not supported (LoRA only)');
  if (config.bias !== 'none')
    throw unsupported('bias', config.bias, 'only "none" is supported (no trained biases)');
  if (config.modules_to_save?.length)
    throw unsupported(
      'modules_to_save',
      config.modules_to_save,
      'fully trained extra modules are not supported',
    );
  if (Object.keys(config.rank_pattern ?? {}).length)
    throw unsupported('rank_pattern', config.rank_pattern, 'per-module ranks are not supported');
  if (Object.keys(config.alpha_pattern ?? {}).length)
    throw unsupported('alpha_pattern', config.alpha_pattern, 'per-module alphas are not supported');
  if (config.layers_to_transform !== null) {
    throw unsupported(
      'layers_to_transform',
      config.layers_to_transform,
      'layer subsets are not supported; list full module paths in target_modules',
    );
  }

  // The file says exactly which modules carry LoRA weights; the config must agree with it.
  const modules = new Set<string>();
  for (const name of weights.tensors.keys()) {
    const match = LORA_KEY.exec(name);
    if (!match?.[1]) {
      throw new ModelLoadError(
        weightsPath,
        `tensor "${name}" is not a LoRA weight (expected base_model.model.<module>.lora_A.weight or .lora_B.weight)`,
      );
    }
    modules.add(match[1]);
  }
  // PEFT's forms: a list (whole module path or dotted suffix), a regex matched against the whole path,
  // or "all-linear" (every linear layer but the output head, which never carries weights here).
  const isTargeted = (module: string): boolean =>
    config.target_modules === 'all-linear'
      ? true
      : typeof config.target_modules === 'string'
        ? new RegExp(`^(?:${config.target_modules})$`).test(module)
        : config.target_modules.some((target) => module === target || module.endsWith(`.${target}`));
  for (const module of modules) {
    if (!isTargeted(module)) {
      throw new ModelLoadError(
        weightsPath,
        `has LoRA weights for "${module}", which target_modules ${JSON.stringify(config.target_modules)} in ${ADAPTER_CONFIG_FILE} does not select`,
      );
    }
  }
  const notes: string[] = [];
  // rsLoRA scales by α/√r instead of α/r: the same update with α' = α·√r.
  const alpha = config.use_rslora ? config.lora_alpha * Math.sqrt(config.r) : config.lora_alpha;
  if (config.use_rslora) notes.push(`rsLoRA adapter: scaling α/√r applied as α' = ${alpha} with α'/r`);
  const targets = Array.isArray(config.target_modules) ? config.target_modules : [...modules].sort();
  const peft: PeftConfig = { kind: 'lora', rank: config.r, alpha, targets };
  let plan: PeftPlan;
  try {
    plan = planPeft(model, peft);
  } catch (error) {
    throw new ModelLoadError(
      configPath,
      `does not fit the model in ${model.dir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    peft,
    plan,
    params: readPlanTensors(plan, weights, weightsPath, model),
    baseModel: config.base_model_name_or_path,
    notes,
  };
}

function importPrefix(
  config: z.infer<typeof PrefixConfigSchema>,
  weights: SafetensorsWeights,
  weightsPath: string,
  configPath: string,
  model: LoadedModel,
): ImportedAdapter {
  const { layers, kvHeads, headDim } = model.config;
  const expect = (field: string, actual: unknown, wanted: unknown, why: string) => {
    if (actual !== wanted) {
      throw new ModelLoadError(
        configPath,
        `field "${field}" is ${JSON.stringify(actual)}; ${why} needs ${JSON.stringify(wanted)}`,
      );
    }
  };
  expect('prefix_projection', config.prefix_projection, false, 'ZO Studio (prefix without a projection MLP)');
  expect('num_transformer_submodules', config.num_transformer_submodules, 1, 'a decoder-only model');
  expect('num_layers', config.num_layers, layers, `the model in ${model.dir}`);
  expect(
    'token_dim',
    config.token_dim,
    kvHeads * headDim,
    `the model's key/value width (kv heads × head dim)`,
  );
  expect('num_attention_heads', config.num_attention_heads, kvHeads, `the model's key/value head count`);
  const peft: PeftConfig = { kind: 'prefix', tokens: config.num_virtual_tokens };
  const plan = planPeft(model, peft);
  return {
    peft,
    plan,
    params: readPlanTensors(plan, weights, weightsPath, model),
    baseModel: config.base_model_name_or_path,
    notes: [],
  };
}

/** Each trainable of the plan from the file, checked for presence and shape. */
function readPlanTensors(
  plan: PeftPlan,
  weights: SafetensorsWeights,
  weightsPath: string,
  model: LoadedModel,
): Params {
  const missing = plan.trainables.filter((t) => !weights.tensors.has(t.name)).map((t) => t.name);
  if (missing.length > 0) {
    throw new ModelLoadError(
      weightsPath,
      `lacks ${missing.length} tensor(s) the config implies for this model, e.g. "${missing[0]}"`,
    );
  }
  const expected = new Set(plan.trainables.map((t) => t.name));
  const extra = [...weights.tensors.keys()].filter((name) => !expected.has(name));
  if (extra.length > 0) {
    throw new ModelLoadError(
      weightsPath,
      `has ${extra.length} tensor(s) that do not fit the model in ${model.dir}, e.g. "${extra[0]}" (expected names like "${plan.trainables[0]?.name}")`,
    );
  }
  return plan.trainables.map((trainable) => {
    const info = weights.tensors.get(trainable.name)!;
    if (info.shape.join() !== trainable.shape.join()) {
      throw new ModelLoadError(
        weightsPath,
        `tensor "${trainable.name}" has shape [${info.shape.join(', ')}]; the model in ${model.dir} needs [${trainable.shape.join(', ')}]`,
      );
    }
    return {
      name: trainable.name,
      shape: [...trainable.shape],
      data: weights.readFloat32(trainable.name).slice(),
    };
  });
}
