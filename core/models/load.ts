// loadModel: an HF model folder (config.json + safetensors) → LoadedModel. Reads config.json and the
// safetensors headers only; weights stay on disk until a builder reads them. Every required tensor is
// checked for presence and shape here, so graph builders can trust the layout.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigFields } from './config-fields.ts';
import { ModelLoadError } from './errors.ts';
import type { FamilyConfig, FamilySpec } from './families/family.ts';
import { familyForModelType, SUPPORTED_MODEL_TYPES } from './families/table.ts';
import { openCheckpoint } from './safetensors/checkpoint.ts';
import type { DType, LoadedModel, ModelConfig, WeightLayout, WeightRef, WeightSource } from './types.ts';

function readConfigJson(dir: string): ConfigFields {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) {
    throw new ModelLoadError(file, 'missing; a Hugging Face model folder needs config.json');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ModelLoadError(file, `is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelLoadError(file, 'is not a JSON object');
  }
  return new ConfigFields(file, raw as Record<string, unknown>);
}

function allRefs(layout: WeightLayout): WeightRef[] {
  return [...Object.values(layout.global), ...layout.layers.flatMap((layer) => Object.values(layer))];
}

/** Picks the key prefix the checkpoint actually uses (the first under which the embedding exists). */
function resolveLayout(
  spec: FamilySpec,
  config: FamilyConfig,
  weights: WeightSource,
  dir: string,
): WeightLayout {
  for (const prefix of spec.prefixes) {
    const layout = spec.layout(config, prefix);
    if (layout.global.embed && weights.tensors.has(layout.global.embed.key)) return layout;
  }
  const tried = spec.prefixes.map((prefix) => spec.layout(config, prefix).global.embed?.key).join(', ');
  throw new ModelLoadError(
    dir,
    `no embedding tensor found for a ${spec.family} checkpoint (looked for: ${tried})`,
  );
}

function checkLayout(layout: WeightLayout, weights: WeightSource, dir: string): void {
  for (const { key, shape } of allRefs(layout)) {
    const tensor = weights.tensors.get(key);
    if (!tensor) throw new ModelLoadError(dir, `required tensor "${key}" is missing from the checkpoint`);
    if (tensor.shape.join(',') !== shape.join(',')) {
      throw new ModelLoadError(
        tensor.file,
        `tensor "${key}" has shape [${tensor.shape.join(', ')}]; config.json implies [${shape.join(', ')}]`,
      );
    }
  }
}

/** Rejects stored tensors the layout would not use: they mean the config describes another model. */
function checkNothingIgnored(
  spec: FamilySpec,
  layout: WeightLayout,
  weights: WeightSource,
  dir: string,
): void {
  const used = new Set(allRefs(layout).map((ref) => ref.key));
  const unused = [...weights.tensors.keys()].filter(
    (key) => !used.has(key) && !spec.ignoredKeys.some((pattern) => pattern.test(key)),
  );
  if (unused.length > 0) {
    const shown =
      unused.slice(0, 5).join(', ') + (unused.length > 5 ? `, ... (${unused.length} in all)` : '');
    throw new ModelLoadError(
      dir,
      `the checkpoint has tensors a ${spec.family} model with this config.json does not use: ${shown}; ` +
        'the config (e.g. attention_bias, tie_word_embeddings) does not match the weights',
    );
  }
}

/** Parameters of the distinct tensors in the layout: a tied head shares the embedding's key, so counts once. */
function countParameters(layout: WeightLayout): number {
  const sizes = new Map(allRefs(layout).map(({ key, shape }) => [key, shape.reduce((a, b) => a * b, 1)]));
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

/** The dtype holding most parameters (a float16 model may keep a few float32 norms). */
function dominantDtype(layout: WeightLayout, weights: WeightSource): DType {
  const totals = new Map<DType, number>();
  for (const { key, shape } of allRefs(layout)) {
    const dtype = weights.tensors.get(key)?.dtype ?? 'float32';
    totals.set(dtype, (totals.get(dtype) ?? 0) + shape.reduce((a, b) => a * b, 1));
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'float32';
}

export async function loadModel(dir: string): Promise<LoadedModel> {
  const root = path.resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ModelLoadError(
      root,
      'is not a folder; expected a Hugging Face model folder (config.json + *.safetensors)',
    );
  }
  const fields = readConfigJson(root);
  const modelType = fields.string('model_type');
  const spec = familyForModelType(modelType);
  if (!spec) {
    const supported = SUPPORTED_MODEL_TYPES.join(', ');
    throw new ModelLoadError(
      fields.file,
      `model_type "${modelType}" is not supported; supported: ${supported}`,
    );
  }
  const familyConfig = spec.mapConfig(fields, modelType);
  const weights = openCheckpoint(root);
  const layout = resolveLayout(spec, familyConfig, weights, root);
  checkLayout(layout, weights, root);
  checkNothingIgnored(spec, layout, weights, root);
  const config: ModelConfig = {
    ...familyConfig,
    modelType,
    dtype: dominantDtype(layout, weights),
    raw: fields.raw,
  };
  return { dir: root, config, weights, parameters: countParameters(layout), layout };
}
