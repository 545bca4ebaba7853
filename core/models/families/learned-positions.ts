// What GPT-2 and OPT share: full multi-head attention, LayerNorm with bias, biases on every projection,
// and a learned position table. Each family only names its config fields and weight keys.
import type { ConfigFields } from '../config-fields.ts';
import type { WeightLayout } from '../types.ts';
import { ref, type FamilyConfig } from './family.ts';

/** Reads width and head count under the family's field names; the head size must divide evenly. */
export function readHeads(
  fields: ConfigFields,
  hiddenField: string,
  headsField: string,
): { hidden: number; heads: number } {
  const hidden = fields.int(hiddenField);
  const heads = fields.int(headsField);
  if (hidden % heads !== 0) {
    fields.fail(`${hiddenField} ${hidden} is not divisible by ${headsField} ${heads}`);
  }
  return { hidden, heads };
}

/** The family-specific values; everything else follows from the shared architecture. */
export type LearnedPositionsConfig = Omit<
  FamilyConfig,
  'kvHeads' | 'headDim' | 'attentionBias' | 'bosTokenId' | 'eosTokenId' | 'padTokenId'
>;

export function learnedPositionsConfig(fields: ConfigFields, own: LearnedPositionsConfig): FamilyConfig {
  return {
    ...own,
    kvHeads: own.heads,
    headDim: own.hidden / own.heads,
    attentionBias: true,
    bosTokenId: fields.tokenId('bos_token_id'),
    eosTokenId: fields.tokenId('eos_token_id'),
    padTokenId: fields.tokenId('pad_token_id'),
  };
}

/** Global weights: token + position tables, a final LayerNorm (`<finalNorm>.weight/.bias`), the head. */
export function learnedPositionsGlobals(
  config: FamilyConfig,
  keys: { embed: string; positions: string; positionRows: number; finalNorm: string },
): WeightLayout['global'] {
  const embed = ref(keys.embed, config.vocab, config.hidden);
  return {
    embed,
    positions: ref(keys.positions, keys.positionRows, config.hidden),
    finalNorm: ref(`${keys.finalNorm}.weight`, config.hidden),
    finalNormBias: ref(`${keys.finalNorm}.bias`, config.hidden),
    lmHead: config.tiedEmbeddings ? embed : ref('lm_head.weight', config.vocab, config.hidden),
  };
}
