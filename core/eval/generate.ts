// Greedy decoding for evaluation (SQuAD/DROP answers, zero-shot checks): at each step the next token
// is the argmax of the last real position's logits. There is no KV cache in the scoring graph, so each
// step re-runs the whole prefix; answers are short (tens of tokens), which keeps this affordable.
import type { Engine } from '../runtime/engine.ts';
import { ignoreIndex } from '../data/batches.ts';

export interface GreedyOptions {
  maxNewTokens: number;
  /** Generation stops for a sequence once it emits this id (the id is not returned). */
  eosId: number | undefined;
  padId: number;
  /** The model's context: a prompt is cut from the left (keeping its first token) to leave room. */
  maxLength: number;
}

export async function greedyGenerate(
  engine: Pick<Engine, 'forward'>,
  params: readonly Float32Array[],
  prompts: readonly (readonly number[])[],
  options: GreedyOptions,
): Promise<{ ids: number[][]; forwardPasses: number }> {
  const room = options.maxLength - options.maxNewTokens;
  if (room < 2)
    throw new Error(`maxLength ${options.maxLength} leaves no room for ${options.maxNewTokens} new tokens`);
  const sequences = prompts.map((ids) =>
    ids.length > room ? [ids[0] as number, ...ids.slice(ids.length - room + 1)] : [...ids],
  );
  const generated: number[][] = prompts.map(() => []);
  const active = new Set(prompts.keys());
  let forwardPasses = 0;
  for (let step = 0; step < options.maxNewTokens && active.size > 0; step++) {
    const rows = [...active];
    const seqLen = Math.max(2, ...rows.map((row) => (sequences[row] as number[]).length));
    const inputIds = new BigInt64Array(rows.length * seqLen).fill(BigInt(options.padId));
    const attentionMask = new BigInt64Array(rows.length * seqLen);
    rows.forEach((row, r) => {
      (sequences[row] as number[]).forEach((id, t) => {
        inputIds[r * seqLen + t] = BigInt(id);
        attentionMask[r * seqLen + t] = 1n;
      });
    });
    const labels = new BigInt64Array(rows.length * seqLen).fill(ignoreIndex);
    const { lastLogits } = await engine.forward(
      { batch: rows.length, seqLen, inputIds, attentionMask, labels },
      params,
    );
    forwardPasses++;
    if (!lastLogits) throw new Error('greedy generation needs an engine built with outputs.lastLogits');
    const vocab = lastLogits.length / rows.length;
    rows.forEach((row, r) => {
      const next = argmax(lastLogits, r * vocab, vocab);
      if (next === options.eosId) {
        active.delete(row);
        return;
      }
      (sequences[row] as number[]).push(next);
      (generated[row] as number[]).push(next);
    });
  }
  return { ids: generated, forwardPasses };
}

function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++)
    if ((values[offset + i] as number) > (values[offset + best] as number)) best = i;
  return best;
}
