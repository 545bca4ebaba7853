// What each architecture family provides to the loader: a config.json mapping and a weight layout.
// Adding a family is one file implementing this plus a row in ./table.ts.
import type { ConfigFields } from '../config-fields.ts';
import type { Family, ModelConfig, WeightLayout, WeightRef } from '../types.ts';

/** ModelConfig minus what the loader fills in itself (stored dtype, model_type, raw config). */
export type FamilyConfig = Omit<ModelConfig, 'dtype' | 'modelType' | 'raw'>;

export interface FamilySpec {
  family: Family;
  /** `model_type` values of config.json this family handles. */
  modelTypes: readonly string[];
  mapConfig(fields: ConfigFields, modelType: string): FamilyConfig;
  /**
   * Key prefixes checkpoints of this family use (e.g. GPT-2 with or without `transformer.`), tried in
   * order: the first under which the embedding exists is used.
   */
  prefixes: readonly string[];
  /** Role → HF key and expected shape, for a config and one of `prefixes`. */
  layout(config: FamilyConfig, prefix: string): WeightLayout;
  /**
   * Stored tensors that are not weights of the forward pass (mask buffers, RoPE caches, a copy of a tied
   * head). Any other tensor outside the layout is an error: ignoring it would silently change the model.
   */
  ignoredKeys: readonly RegExp[];
}

/** `ref(key, rows, cols)`: keeps the layout tables one line per weight. */
export function ref(key: string, ...shape: number[]): WeightRef {
  return { key, shape };
}
