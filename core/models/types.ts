// The contract between the checkpoint loader (core/models) and the graph builders (core/graph).
// A loaded model is a normalized config plus lazy access to its weights; builders never parse HF files.

export type DType = 'float32' | 'float16' | 'bfloat16';

/** Architecture families with a graph builder. A new family is one builder file plus a config mapper. */
export type Family = 'llama' | 'gpt2' | 'opt';

export interface ModelConfig {
  family: Family;
  /** `model_type` as written in config.json (llama, mistral, qwen2, gpt2, opt, ...). */
  modelType: string;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
  normEps: number;
  /** RoPE base (Llama family only). */
  ropeTheta?: number;
  tiedEmbeddings: boolean;
  /** Activation of the MLP: silu (SwiGLU in Llama), gelu_new (GPT-2), relu (OPT). */
  activation: string;
  /** Qwen2-style q/k/v biases. */
  attentionBias: boolean;
  bosTokenId?: number;
  eosTokenId?: number;
  padTokenId?: number;
  /** dtype of the stored weights (the most common one). */
  dtype: DType;
  /** The raw config.json, for export round-trips. */
  raw: Record<string, unknown>;
}

export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  /** Absolute path of the .safetensors file holding it. */
  file: string;
  /** Byte range inside that file (absolute offsets). */
  begin: number;
  end: number;
}

export interface WeightSource {
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /** Reads one tensor converted to float32 (validated against its byte range). */
  readFloat32(name: string): Float32Array;
  /** Reads the raw bytes in the stored dtype (for half-precision GPU paths and external data). */
  readRaw(name: string): Uint8Array;
}

export interface LoadedModel {
  dir: string;
  config: ModelConfig;
  weights: WeightSource;
  /** Total parameter count (tied embeddings counted once). */
  parameters: number;
}
