// GPT-2: pre-LN LayerNorm blocks, learned positions, fused c_attn, gelu_new, head always tied to wte.
// Its Conv1D weights are stored [in, out] (y = x·W + b), unlike nn.Linear.
import type { ConfigFields } from '../config-fields.ts';
import type { WeightLayout } from '../types.ts';
import { ref, type FamilyConfig, type FamilySpec } from './family.ts';
import { learnedPositionsConfig, learnedPositionsGlobals, readHeads } from './learned-positions.ts';

function mapConfig(fields: ConfigFields): FamilyConfig {
  const { hidden, heads } = readHeads(fields, 'n_embd', 'n_head');
  const activation = fields.string('activation_function', 'gelu_new');
  fields.require(activation === 'gelu_new', 'activation_function', '"gelu_new"');
  fields.require(
    !fields.bool('scale_attn_by_inverse_layer_idx', false),
    'scale_attn_by_inverse_layer_idx',
    'false',
  );
  fields.require(!fields.bool('reorder_and_upcast_attn', false), 'reorder_and_upcast_attn', 'false');
  return learnedPositionsConfig(fields, {
    family: 'gpt2',
    hidden,
    layers: fields.int('n_layer'),
    heads,
    // n_inner: null means 4 × n_embd.
    intermediate: fields.int('n_inner', 4 * hidden),
    vocab: fields.int('vocab_size'),
    maxPositions: fields.int('n_positions', fields.has('n_ctx') ? fields.int('n_ctx') : undefined),
    normEps: fields.number('layer_norm_epsilon', 1e-5),
    positionOffset: 0,
    tiedEmbeddings: true,
    activation,
  });
}

function layout(config: FamilyConfig, prefix: string): WeightLayout {
  const { hidden, intermediate } = config;
  const layers = Array.from({ length: config.layers }, (_, i) => {
    // h.N.attn.bias / h.N.attn.masked_bias in old checkpoints are causal-mask buffers, not weights: unlisted.
    const at = `${prefix}h.${i}.`;
    return {
      attnNorm: ref(`${at}ln_1.weight`, hidden),
      attnNormBias: ref(`${at}ln_1.bias`, hidden),
      qkv: ref(`${at}attn.c_attn.weight`, hidden, 3 * hidden),
      qkvBias: ref(`${at}attn.c_attn.bias`, 3 * hidden),
      o: ref(`${at}attn.c_proj.weight`, hidden, hidden),
      oBias: ref(`${at}attn.c_proj.bias`, hidden),
      mlpNorm: ref(`${at}ln_2.weight`, hidden),
      mlpNormBias: ref(`${at}ln_2.bias`, hidden),
      up: ref(`${at}mlp.c_fc.weight`, hidden, intermediate),
      upBias: ref(`${at}mlp.c_fc.bias`, intermediate),
      down: ref(`${at}mlp.c_proj.weight`, intermediate, hidden),
      downBias: ref(`${at}mlp.c_proj.bias`, hidden),
    };
  });
  return {
    // tiedEmbeddings is always true here, so the head is wte.
    global: learnedPositionsGlobals(config, {
      embed: `${prefix}wte.weight`,
      positions: `${prefix}wpe.weight`,
      positionRows: config.maxPositions,
      finalNorm: `${prefix}ln_f`,
    }),
    layers,
  };
}

export const gpt2: FamilySpec = {
  family: 'gpt2',
  modelTypes: ['gpt2'],
  mapConfig,
  // save_pretrained of GPT2LMHeadModel writes `transformer.`; the canonical hub `gpt2` files have no prefix.
  prefixes: ['transformer.', ''],
  layout,
  // Causal-mask buffers of old checkpoints; the head is always the embedding.
  ignoredKeys: [/(^|\.)h\.\d+\.attn\.(masked_)?bias$/, /^lm_head\.weight$/],
};
