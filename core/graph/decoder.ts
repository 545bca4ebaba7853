// The decoder-only transformer, assembled from blocks for any family (traits + weight layout):
//
//   input_ids ─► Gather(embed) [+ Gather(positions)] ─► h
//   for each layer:  h ─► norm ─► attention(q, k, v [RoPE], bias) ─► o_proj ─► +h
//                      ─► norm ─► mlp ─► +h
//   h ─► final norm ─► hidden [B, T, H]
//
// Residual adds are fused into the following norm (addAndNorm) so the fused CPU build uses one
// Skip*LayerNormalization per residual.
import type { LayerWeight, LoadedModel, WeightRef } from '../models/types.ts';
import { linearStorage } from '../peft/linear-dims.ts';
import type { GraphBuilder, Value } from './builder.ts';
import { attention } from './blocks/attention.ts';
import { linear } from './blocks/linear.ts';
import { attentionBias, gqaLengths, positionsFromMask, type SequenceDims } from './blocks/mask.ts';
import { mlp } from './blocks/mlp.ts';
import { addAndNorm, norm, type NormSpec, type NormWeights } from './blocks/norm.ts';
import { rotaryAt, type Rotary } from './blocks/rotary.ts';
import { familyTraits } from './families/traits.ts';
import type { WeightResolver } from './weights.ts';

export interface DecoderInputs {
  inputIds: Value;
  attentionMask: Value;
  dims: SequenceDims;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`graph: ${what} missing from the model layout`);
  return value;
}

/** Per-layer prefix keys/values [B, kv, N, d] from `prompt_embeddings` [N, layers·2·kv·d] (PEFT layout). */
function prefixKeyValues(
  g: GraphBuilder,
  model: LoadedModel,
  name: string,
  tokens: number,
  dims: SequenceDims,
) {
  const { layers, kvHeads, headDim } = model.config;
  return g.scope('prefix', () => {
    // PEFT: view(N, layers·2, kv, d).permute → entry 2l is layer l's key, 2l+1 its value.
    const perSlot = g.transpose(g.reshape(name, [tokens, layers * 2, kvHeads, headDim]), [1, 2, 0, 3]);
    const shape = g.concat([dims.batch, g.i64([kvHeads, tokens, headDim])], 0);
    const slot = (i: number) => g.op('Expand', [g.op('Gather', [perSlot, g.i64([i])], { axis: 0 }), shape]);
    return Array.from({ length: layers }, (_, l) => ({ k: slot(2 * l), v: slot(2 * l + 1) }));
  });
}

export interface DecoderOutputs {
  /** [B, T, H] after the final norm. */
  hidden: Value;
  /** Per layer, keys (after RoPE) and values [B, kv, T, d]: what a prefix initialized from real tokens holds. */
  keyValues: { key: Value; value: Value }[];
}

export function buildDecoder(
  g: GraphBuilder,
  model: LoadedModel,
  weights: WeightResolver,
  io: DecoderInputs,
  fused: boolean,
): DecoderOutputs {
  const config = model.config;
  const traits = familyTraits(config.family);
  const storage = linearStorage(config.family);
  const { global } = model.layout;
  const normSpec: NormSpec = { kind: traits.norm, eps: config.normEps, fused };
  const normWeights = (
    gamma: WeightRef | undefined,
    beta: WeightRef | undefined,
    what: string,
  ): NormWeights => ({
    gamma: weights.stored(required(gamma, what)),
    beta: beta ? weights.stored(beta) : undefined,
  });
  const prefix = weights.plan.prefix;
  const prefixTokens = prefix?.tokens ?? 0;
  const positions = positionsFromMask(g, io.attentionMask, prefixTokens);
  const bias = attentionBias(g, io.attentionMask, io.dims, prefixTokens);
  const prefixKv = prefix ? prefixKeyValues(g, model, prefix.name, prefix.tokens, io.dims) : undefined;
  const gqa = fused && !prefix ? gqaLengths(g, io.dims) : undefined;

  let h = g.scope('embed', () => {
    const tokens = g.op('Gather', [weights.stored(required(global.embed, 'embed')), io.inputIds]);
    if (traits.positions !== 'learned') return tokens;
    const rows = g.add(positions, g.i64(config.positionOffset ?? 0));
    return g.add(tokens, g.op('Gather', [weights.stored(required(global.positions, 'positions')), rows]));
  });
  let rotary: Rotary | undefined;
  if (traits.positions === 'rotary') {
    const theta = required(config.ropeTheta, 'rope_theta');
    const maxPositions = config.maxPositions + prefixTokens;
    rotary = rotaryAt(g, positions, maxPositions, config.headDim, theta, fused);
  }

  const layers = model.layout.layers;
  const keyValues: DecoderOutputs['keyValues'] = [];
  const first = required(layers[0], 'layer 0');
  let normed = g.scope('layers.0/attn_norm', () =>
    norm(g, h, normWeights(first.attnNorm, first.attnNormBias, 'attnNorm'), normSpec),
  );
  layers.forEach((layer, l) => {
    g.scope(`layers.${l}`, () => {
      const w = (role: LayerWeight) => required(layer[role], `layers.${l}.${role}`);
      const proj = (name: string, x: Value, role: LayerWeight, biasRole: LayerWeight) =>
        g.scope(name, () => linear(g, weights, x, w(role), layer[biasRole], storage));
      let q: Value, k: Value, v: Value;
      if (layer.qkv) {
        // GPT-2's fused c_attn: output columns are [q | k | v], each `hidden` wide.
        const qkv = proj('c_attn', normed, 'qkv', 'qkvBias');
        const size = config.heads * config.headDim;
        [q, k, v] = g.ops('Split', [qkv, g.i64([size, size, size])], { axis: -1 }, { outputs: 3 }) as [
          Value,
          Value,
          Value,
        ];
      } else {
        q = proj('q_proj', normed, 'q', 'qBias');
        k = proj('k_proj', normed, 'k', 'kBias');
        v = proj('v_proj', normed, 'v', 'vBias');
      }
      const attn = g.scope('attn', () =>
        attention(g, { q, k, v, bias, rotary, prefix: prefixKv?.[l], gqa }, config),
      );
      keyValues.push({ key: attn.key, value: attn.value });
      const attnOut = proj('o_proj', attn.context, 'o', 'oBias');
      const mid = g.scope('mlp_norm', () =>
        addAndNorm(g, h, attnOut, normWeights(layer.mlpNorm, layer.mlpNormBias, 'mlpNorm'), normSpec),
      );
      const mlpOut = g.scope('mlp', () => mlp(g, weights, mid.normed, layer, traits.mlp, storage));
      const next = layers[l + 1];
      const nextNorm = next
        ? normWeights(next.attnNorm, next.attnNormBias, 'attnNorm')
        : normWeights(global.finalNorm, global.finalNormBias, 'finalNorm');
      const out = g.scope(next ? 'next_attn_norm' : 'final_norm', () =>
        addAndNorm(g, mid.sum, mlpOut, nextNorm, normSpec),
      );
      h = out.sum;
      normed = out.normed;
    });
  });
  return { hidden: normed, keyValues };
}
