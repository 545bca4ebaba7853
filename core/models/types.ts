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
  /**
   * Learned position embeddings (GPT-2, OPT): row of position p is p + positionOffset (OPT reserves 2
   * rows, GPT-2 none). Absent for RoPE models.
   */
  positionOffset?: number;
  tiedEmbeddings: boolean;
  /** Activation of the MLP: silu (SwiGLU in Llama), gelu_new (GPT-2), relu (OPT). */
  activation: string;
  /**
   * Mistral-style sliding-window attention span: positions attend only to the last `slidingWindow`
   * tokens. Identical to full causal attention for sequences up to this length. Absent = unlimited.
   */
  slidingWindow?: number;
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

/** Whole-model weights, by role. */
export type GlobalWeight = 'embed' | 'positions' | 'finalNorm' | 'finalNormBias' | 'lmHead';

/**
 * Per-layer weights, by role. Llama/OPT store separate q/k/v; GPT-2 stores one fused `qkv` ([q | k | v]
 * along the output axis). `gate` exists only for SwiGLU (Llama); `up`/`down` are the MLP in/out matrices
 * (GPT-2 c_fc/c_proj, OPT fc1/fc2).
 */
export type LayerWeight =
  | 'attnNorm'
  | 'attnNormBias'
  | 'q'
  | 'qBias'
  | 'k'
  | 'kBias'
  | 'v'
  | 'vBias'
  | 'qkv'
  | 'qkvBias'
  | 'o'
  | 'oBias'
  | 'mlpNorm'
  | 'mlpNormBias'
  | 'gate'
  | 'up'
  | 'upBias'
  | 'down'
  | 'downBias';

/** Where a weight of a given role lives in the checkpoint, with the shape it was checked to have. */
export interface WeightRef {
  /** Key in `WeightSource.tensors` (the HF name). */
  key: string;
  /**
   * Shape as stored: nn.Linear weights (Llama, OPT) are [out, in]; GPT-2 Conv1D weights are [in, out].
   * `lmHead` of a tied model points at the embedding ([vocab, hidden]).
   */
  shape: number[];
}

/** Every weight the forward pass needs, by role; a role a family lacks is absent. */
export interface WeightLayout {
  global: Partial<Record<GlobalWeight, WeightRef>>;
  layers: Partial<Record<LayerWeight, WeightRef>>[];
}

export interface LoadedModel {
  dir: string;
  config: ModelConfig;
  weights: WeightSource;
  /** Total parameter count (tied embeddings counted once). */
  parameters: number;
  /** The checked role → tensor map; graph builders read weights through it, never by HF name. */
  layout: WeightLayout;
}
