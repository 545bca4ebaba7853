// The one-line description of a loaded model shown by `zo-studio model inspect` and the model picker.
import type { DType, Family, LoadedModel } from './types.ts';

export interface ModelSummary {
  family: Family;
  modelType: string;
  parameters: number;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  maxPositions: number;
  tiedEmbeddings: boolean;
  dtype: DType;
}

export function summarizeModel(model: LoadedModel): ModelSummary {
  const { config } = model;
  return {
    family: config.family,
    modelType: config.modelType,
    parameters: model.parameters,
    layers: config.layers,
    hidden: config.hidden,
    heads: config.heads,
    kvHeads: config.kvHeads,
    vocab: config.vocab,
    maxPositions: config.maxPositions,
    tiedEmbeddings: config.tiedEmbeddings,
    dtype: config.dtype,
  };
}
