// Reads a fixture's reference.json (numbers from an independent float64 forward) and turns its prompts
// and padded batches into engine batches. Labels are the ids on real tokens and −100 on pads, so the
// engine's per-row loss is exactly the reference's mean_nll. A row's first real token is unlabelled too:
// nothing real precedes it (with left padding its predecessor is a pad), and the reference skips it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Batch } from '../../core/runtime/batch.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
export const MODELS = path.join(FIXTURES, 'models');
export const TINY_MODELS = [
  'tiny-random-gpt2',
  'tiny-random-opt',
  'tiny-random-qwen2',
  'tiny-random-llama',
] as const;

/** The tolerance reference.json asks for (float32 agrees with its float64 numbers to ~2e-5). */
export const ATOL = 1e-4;

export interface ReferencePrompt {
  text: string;
  ids: number[];
  last_logits_first16: number[];
  mean_nll: number;
}

export interface ReferenceBatch {
  input_ids: number[][];
  attention_mask: number[][];
  last_index: number[];
  mean_nll: number[];
  last_logits_first16: number[][];
}

export interface Reference {
  prompts: ReferencePrompt[];
  batches?: { pad_id: number; right_padded: ReferenceBatch; left_padded: ReferenceBatch };
}

export function readReference(model: string): Reference {
  return JSON.parse(readFileSync(path.join(MODELS, model, 'reference.json'), 'utf8')) as Reference;
}

export function toBatch(inputIds: number[][], attentionMask: number[][]): Batch {
  const seqLen = inputIds[0]?.length ?? 0;
  const flatIds = inputIds.flat();
  const flatMask = attentionMask.flat();
  return {
    batch: inputIds.length,
    seqLen,
    inputIds: BigInt64Array.from(flatIds, BigInt),
    attentionMask: BigInt64Array.from(flatMask, BigInt),
    labels: BigInt64Array.from(flatIds, (id, i) => {
      const isFirstReal = flatMask[i] === 1 && (i % seqLen === 0 || flatMask[i - 1] === 0);
      return flatMask[i] && !isFirstReal ? BigInt(id) : -100n;
    }),
  };
}

/** All prompts as one right-padded batch (pad id 0; pads are masked and unlabelled). */
export function promptsBatch(ref: Reference): { batch: Batch; expected: ReferenceBatch } {
  const seqLen = Math.max(...ref.prompts.map((p) => p.ids.length));
  const ids = ref.prompts.map((p) => [...p.ids, ...new Array<number>(seqLen - p.ids.length).fill(0)]);
  const mask = ref.prompts.map((p) =>
    p.ids.map(() => 1).concat(new Array<number>(seqLen - p.ids.length).fill(0)),
  );
  return {
    batch: toBatch(ids, mask),
    expected: {
      input_ids: ids,
      attention_mask: mask,
      last_index: ref.prompts.map((p) => p.ids.length - 1),
      mean_nll: ref.prompts.map((p) => p.mean_nll),
      last_logits_first16: ref.prompts.map((p) => p.last_logits_first16),
    },
  };
}

/** Max |a − b| over the first 16 logits of every row (lastLogits is [B, V]). */
export function maxFirst16Error(lastLogits: Float32Array, vocab: number, expected: number[][]): number {
  let worst = 0;
  expected.forEach((row, b) =>
    row.forEach((v, i) => (worst = Math.max(worst, Math.abs((lastLogits[b * vocab + i] as number) - v)))),
  );
  return worst;
}

export function maxLossError(loss: Float32Array, expected: number[]): number {
  return Math.max(...expected.map((v, b) => Math.abs((loss[b] as number) - v)));
}
