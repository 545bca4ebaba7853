// Initial `prompt_embeddings` for prefix tuning from real tokens (MeZO's prefix_init_by_real_act): the
// base model's per-layer keys/values for `tokenIds`, so the prefixed model starts exactly as if those
// tokens preceded every input.
import type { LoadedModel } from '../models/types.ts';
import { prefixFromKeyValues } from '../peft/prefix-init.ts';
import type { EpChoice } from './backend.ts';
import { Engine } from './engine.ts';

export async function prefixFromTokens(
  model: LoadedModel,
  tokenIds: readonly number[],
  ep: EpChoice = 'cpu',
): Promise<Float32Array> {
  const tokens = tokenIds.length;
  if (tokens < 2)
    throw new Error('prefix init: need at least 2 tokens (the graph scores next-token predictions)');
  const engine = await Engine.create(model, { ep, outputs: { keyValues: true } });
  try {
    const ids = BigInt64Array.from(tokenIds, BigInt);
    const out = await engine.forward(
      {
        batch: 1,
        seqLen: tokens,
        inputIds: ids,
        attentionMask: new BigInt64Array(tokens).fill(1n),
        labels: ids,
      },
      [],
    );
    if (!out.keyValues) throw new Error('prefix init: the engine returned no key_values');
    const { layers, kvHeads, headDim } = model.config;
    return prefixFromKeyValues(out.keyValues, { layers, kvHeads, headDim, tokens });
  } finally {
    await engine.dispose();
  }
}
