// OPT: pre-LN LayerNorm blocks (opt-125m and up except 350m), learned positions offset by 2, ReLU MLP,
// biases everywhere, head tied to the embedding. nn.Linear weights are [out, in].
import type { ConfigFields } from '../config-fields.ts';
import type { WeightLayout } from '../types.ts';
import { ref, type FamilyConfig, type FamilySpec } from './family.ts';
import { learnedPositionsConfig, learnedPositionsGlobals, readHeads } from './learned-positions.ts';

/** OPT's learned position table reserves its first 2 rows (a fairseq padding convention). */
const OPT_POSITION_OFFSET = 2;

function mapConfig(fields: ConfigFields): FamilyConfig {
  const { hidden, heads } = readHeads(fields, 'hidden_size', 'num_attention_heads');
  const projected = fields.int('word_embed_proj_dim', hidden);
  if (projected !== hidden) {
    fields.fail(
      `word_embed_proj_dim ${projected} differs from hidden_size ${hidden} (opt-350m style project_in/project_out); not supported`,
    );
  }
  fields.require(
    fields.bool('do_layer_norm_before', true),
    'do_layer_norm_before',
    'true (post-LN OPT such as opt-350m is not supported)',
  );
  fields.require(fields.bool('enable_bias', true), 'enable_bias', 'true');
  fields.require(fields.bool('layer_norm_elementwise_affine', true), 'layer_norm_elementwise_affine', 'true');
  fields.require(!fields.bool('_remove_final_layer_norm', false), '_remove_final_layer_norm', 'false');
  const activation = fields.string('activation_function', 'relu');
  fields.require(activation === 'relu', 'activation_function', '"relu"');
  return learnedPositionsConfig(fields, {
    family: 'opt',
    hidden,
    layers: fields.int('num_hidden_layers'),
    heads,
    intermediate: fields.int('ffn_dim'),
    vocab: fields.int('vocab_size'),
    maxPositions: fields.int('max_position_embeddings'),
    // OPT's LayerNorms use PyTorch's default eps; the config has no field for it.
    normEps: 1e-5,
    positionOffset: OPT_POSITION_OFFSET,
    tiedEmbeddings: fields.bool('tie_word_embeddings', true),
    activation,
  });
}

function layout(config: FamilyConfig, prefix: string): WeightLayout {
  const { hidden, intermediate } = config;
  const layers = Array.from({ length: config.layers }, (_, i) => {
    const at = `${prefix}layers.${i}.`;
    return {
      attnNorm: ref(`${at}self_attn_layer_norm.weight`, hidden),
      attnNormBias: ref(`${at}self_attn_layer_norm.bias`, hidden),
      q: ref(`${at}self_attn.q_proj.weight`, hidden, hidden),
      qBias: ref(`${at}self_attn.q_proj.bias`, hidden),
      k: ref(`${at}self_attn.k_proj.weight`, hidden, hidden),
      kBias: ref(`${at}self_attn.k_proj.bias`, hidden),
      v: ref(`${at}self_attn.v_proj.weight`, hidden, hidden),
      vBias: ref(`${at}self_attn.v_proj.bias`, hidden),
      o: ref(`${at}self_attn.out_proj.weight`, hidden, hidden),
      oBias: ref(`${at}self_attn.out_proj.bias`, hidden),
      mlpNorm: ref(`${at}final_layer_norm.weight`, hidden),
      mlpNormBias: ref(`${at}final_layer_norm.bias`, hidden),
      up: ref(`${at}fc1.weight`, intermediate, hidden),
      upBias: ref(`${at}fc1.bias`, intermediate),
      down: ref(`${at}fc2.weight`, hidden, intermediate),
      downBias: ref(`${at}fc2.bias`, hidden),
    };
  });
  return {
    global: learnedPositionsGlobals(config, {
      embed: `${prefix}embed_tokens.weight`,
      positions: `${prefix}embed_positions.weight`,
      positionRows: config.maxPositions + OPT_POSITION_OFFSET,
      finalNorm: `${prefix}final_layer_norm`,
    }),
    layers,
  };
}

export const opt: FamilySpec = {
  family: 'opt',
  modelTypes: ['opt'],
  mapConfig,
  // OPTForCausalLM.save_pretrained writes `model.decoder.`; the original facebook/opt-* files `decoder.`.
  prefixes: ['model.decoder.', 'decoder.'],
  layout,
  // The head is the embedding when tied; some exports store it anyway.
  ignoredKeys: [/^lm_head\.weight$/],
};
