// A random-weight model of SmolLM-135M's shape (HF folder: config.json + model.safetensors, no
// tokenizer) and synthetic token batches for it: shared by the forward and ZO step-time benchmarks.
// Lives under lib/ so the bench runner does not list it as a benchmark.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeSafetensors, type TensorToWrite } from '../../../core/models/safetensors/write.ts';

export const SMOLLM_135M = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  hidden_act: 'silu',
  max_position_embeddings: 2048,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: true,
  vocab_size: 49152,
  torch_dtype: 'float32',
};

/** Uniform values with std 0.02 (HF's initializer_range) from a seeded xorshift; norms are ones. */
function randomTensor(count: number, seed: number): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const bound = 0.02 * Math.sqrt(3);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * bound;
  }
  return out;
}

export function writeRandomSmolLm(dir: string): void {
  const c = SMOLLM_135M;
  const [h, inter, kv] = [
    c.hidden_size,
    c.intermediate_size,
    (c.hidden_size / c.num_attention_heads) * c.num_key_value_heads,
  ];
  const tensors: TensorToWrite[] = [];
  const add = (name: string, shape: number[], ones = false) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const seed = tensors.length + 1;
    tensors.push({
      name,
      dtype: 'float32',
      shape,
      data: () => (ones ? new Float32Array(count).fill(1) : randomTensor(count, seed)),
    });
  };
  add('model.embed_tokens.weight', [c.vocab_size, h]);
  add('model.norm.weight', [h], true);
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const at = `model.layers.${l}.`;
    add(`${at}input_layernorm.weight`, [h], true);
    add(`${at}post_attention_layernorm.weight`, [h], true);
    add(`${at}self_attn.q_proj.weight`, [h, h]);
    add(`${at}self_attn.k_proj.weight`, [kv, h]);
    add(`${at}self_attn.v_proj.weight`, [kv, h]);
    add(`${at}self_attn.o_proj.weight`, [h, h]);
    add(`${at}mlp.gate_proj.weight`, [inter, h]);
    add(`${at}mlp.up_proj.weight`, [inter, h]);
    add(`${at}mlp.down_proj.weight`, [h, inter]);
  }
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c, null, 2));
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
}

/** A batch×seqLen batch of token ids spread over the vocabulary. */
export function makeBatch(batch: number, seqLen: number, vocab: number) {
  // Token ids spread over the vocabulary; their values do not affect the cost of a pass.
  const ids = BigInt64Array.from({ length: batch * seqLen }, (_, i) => BigInt((i * 7919 + 13) % vocab));
  return { batch, seqLen, inputIds: ids, attentionMask: new BigInt64Array(ids.length).fill(1n), labels: ids };
}
