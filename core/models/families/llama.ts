// Llama family: llama, mistral, qwen2 (and everything saved as one of them: TinyLlama, SmolLM, ...).
// RMSNorm, RoPE (rotate_half), GQA, SwiGLU MLP; nn.Linear weights are [out, in].
import type { ConfigFields } from '../config-fields.ts';
import type { LayerWeight, WeightLayout, WeightRef } from '../types.ts';
import { ref, type FamilyConfig, type FamilySpec } from './family.ts';

/** Newer transformers write `{"rope_type": "default"}` for plain RoPE where older ones wrote null. */
function isPlainRope(scaling: unknown): boolean {
  if (scaling === undefined || scaling === null) return true;
  const kind =
    (scaling as { rope_type?: unknown; type?: unknown }).rope_type ?? (scaling as { type?: unknown }).type;
  return kind === 'default';
}

function mapConfig(fields: ConfigFields, modelType: string): FamilyConfig {
  const hidden = fields.int('hidden_size');
  const heads = fields.int('num_attention_heads');
  const kvHeads = fields.int('num_key_value_heads', heads);
  if (heads % kvHeads !== 0) {
    fields.fail(`num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
  }
  if (!fields.has('head_dim') && hidden % heads !== 0) {
    fields.fail(
      `hidden_size ${hidden} is not divisible by num_attention_heads ${heads} and there is no head_dim`,
    );
  }
  const activation = fields.string('hidden_act', 'silu');
  fields.require(activation === 'silu', 'hidden_act', '"silu"');
  fields.require(
    isPlainRope(fields.raw.rope_scaling),
    'rope_scaling',
    'null (scaled RoPE variants are not implemented)',
  );
  fields.require(!fields.bool('mlp_bias', false), 'mlp_bias', 'false');
  if (modelType === 'qwen2') {
    // A window only changes attention past `sliding_window` tokens; refuse rather than compute it wrong.
    fields.require(!fields.bool('use_sliding_window', false), 'use_sliding_window', 'false');
  }
  return {
    family: 'llama',
    hidden,
    layers: fields.int('num_hidden_layers'),
    heads,
    kvHeads,
    headDim: fields.int('head_dim', hidden / heads),
    intermediate: fields.int('intermediate_size'),
    vocab: fields.int('vocab_size'),
    maxPositions: fields.int('max_position_embeddings', 2048),
    normEps: fields.number('rms_norm_eps', 1e-6),
    ropeTheta: fields.number('rope_theta', 10000),
    tiedEmbeddings: fields.bool('tie_word_embeddings', false),
    activation,
    // Mistral v0.1 attends within a window (4096); later Mistrals write null. Llama has no such field.
    slidingWindow:
      modelType === 'mistral' && fields.has('sliding_window') ? fields.int('sliding_window') : undefined,
    // Qwen2 always has q/k/v biases (its config has no switch); Llama exposes `attention_bias`.
    attentionBias: modelType === 'qwen2' || fields.bool('attention_bias', false),
    bosTokenId: fields.tokenId('bos_token_id'),
    eosTokenId: fields.tokenId('eos_token_id'),
    padTokenId: fields.tokenId('pad_token_id'),
  };
}

function layout(config: FamilyConfig, prefix: string): WeightLayout {
  const { hidden, heads, kvHeads, headDim, intermediate, vocab } = config;
  const qSize = heads * headDim;
  const kvSize = kvHeads * headDim;
  const layers = Array.from({ length: config.layers }, (_, i) => {
    const at = `${prefix}layers.${i}.`;
    const layer: Partial<Record<LayerWeight, WeightRef>> = {
      attnNorm: ref(`${at}input_layernorm.weight`, hidden),
      q: ref(`${at}self_attn.q_proj.weight`, qSize, hidden),
      k: ref(`${at}self_attn.k_proj.weight`, kvSize, hidden),
      v: ref(`${at}self_attn.v_proj.weight`, kvSize, hidden),
      o: ref(`${at}self_attn.o_proj.weight`, hidden, qSize),
      mlpNorm: ref(`${at}post_attention_layernorm.weight`, hidden),
      gate: ref(`${at}mlp.gate_proj.weight`, intermediate, hidden),
      up: ref(`${at}mlp.up_proj.weight`, intermediate, hidden),
      down: ref(`${at}mlp.down_proj.weight`, hidden, intermediate),
    };
    if (config.attentionBias) {
      layer.qBias = ref(`${at}self_attn.q_proj.bias`, qSize);
      layer.kBias = ref(`${at}self_attn.k_proj.bias`, kvSize);
      layer.vBias = ref(`${at}self_attn.v_proj.bias`, kvSize);
    }
    return layer;
  });
  const embed = ref(`${prefix}embed_tokens.weight`, vocab, hidden);
  return {
    global: {
      embed,
      finalNorm: ref(`${prefix}norm.weight`, hidden),
      // Tied checkpoints sometimes also store a copy as lm_head.weight; the embedding is the source of truth.
      lmHead: config.tiedEmbeddings ? embed : ref('lm_head.weight', vocab, hidden),
    },
    layers,
  };
}

export const llama: FamilySpec = {
  family: 'llama',
  modelTypes: ['llama', 'mistral', 'qwen2'],
  mapConfig,
  prefixes: ['model.'],
  layout,
  // Old conversions saved RoPE caches; tied checkpoints may also store the head as a copy.
  ignoredKeys: [/(^|\.)rotary_emb\.inv_freq$/, /^lm_head\.weight$/],
};
