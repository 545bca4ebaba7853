// Prefix tuning initialized from real activations (MeZO's `prefix_init_by_real_act`): run N real tokens
// through the base model, keep every layer's keys and values, and store them as `prompt_embeddings`.
// A prefix initialized this way makes the model behave exactly as if those N tokens preceded the text.

export interface KeyValueDims {
  layers: number;
  kvHeads: number;
  headDim: number;
  tokens: number;
}

/**
 * `key_values` of one row, [layers·2, kv, N, d] (engine output, batch 1) → `prompt_embeddings`
 * [N, layers·2·kv·d] in PEFT's layout (view(N, layers·2, kv, d)).
 */
export function prefixFromKeyValues(keyValues: Float32Array, dims: KeyValueDims): Float32Array {
  const { layers, kvHeads, headDim, tokens } = dims;
  const slots = layers * 2;
  if (keyValues.length !== slots * kvHeads * tokens * headDim) {
    throw new Error(
      `prefix init: key_values has ${keyValues.length} values, expected ${slots}·${kvHeads}·${tokens}·${headDim}`,
    );
  }
  const out = new Float32Array(keyValues.length);
  for (let s = 0; s < slots; s++)
    for (let k = 0; k < kvHeads; k++)
      for (let n = 0; n < tokens; n++)
        for (let j = 0; j < headDim; j++) {
          const from = ((s * kvHeads + k) * tokens + n) * headDim + j;
          const to = ((n * slots + s) * kvHeads + k) * headDim + j;
          out[to] = keyValues[from] as number;
        }
  return out;
}
