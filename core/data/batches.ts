// Batching: encoded examples → the tensors the runtime's forward takes, plus the bookkeeping that turns
// per-sequence losses back into per-example losses and predictions. Labels follow the Hugging Face
// convention: aligned with input_ids, -100 where not scored; the graph shifts them (logits at t-1
// predict labels[t]), so position 0 is never a target. Positions come from the attention mask inside
// the graph, so either padding side works.
import type { EncodedExample } from './encode.ts';

export const ignoreIndex = -100n;

export type PadSide = 'right' | 'left';

export interface TokenBatch {
  /** Number of sequences (rows of the tensors). */
  batch: number;
  seqLen: number;
  /** [batch, seqLen] each. */
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  labels: BigInt64Array;
  /** Per sequence: number of scored positions (labels ≠ -100 at t ≥ 1). */
  targetTokens: Int32Array;
  /** Per sequence: which example of this batch it belongs to, and which candidate it is. */
  exampleOf: Int32Array;
  candidateOf: Int32Array;
  /** Per example: gold candidate, or -1 for tasks scored on a single sequence. */
  gold: Int32Array;
  /** Number of examples in the batch (≤ batch when examples have several candidates). */
  examples: number;
}

export interface BatchOptions {
  padId: number;
  padSide?: PadSide;
}

export function makeBatch(examples: readonly EncodedExample[], options: BatchOptions): TokenBatch {
  const sequences = examples.flatMap((example, exampleIndex) =>
    example.sequences.map((sequence, candidateIndex) => ({ sequence, exampleIndex, candidateIndex })),
  );
  const batch = sequences.length;
  if (batch === 0) throw new Error('makeBatch: no examples');
  const seqLen = Math.max(...sequences.map(({ sequence }) => sequence.ids.length));
  const padId = BigInt(options.padId);
  const isLeft = options.padSide === 'left';
  const result: TokenBatch = {
    batch,
    seqLen,
    inputIds: new BigInt64Array(batch * seqLen).fill(padId),
    attentionMask: new BigInt64Array(batch * seqLen),
    labels: new BigInt64Array(batch * seqLen).fill(ignoreIndex),
    targetTokens: new Int32Array(batch),
    exampleOf: new Int32Array(batch),
    candidateOf: new Int32Array(batch),
    gold: Int32Array.from(examples, (example) => example.gold),
    examples: examples.length,
  };
  for (const [row, { sequence, exampleIndex, candidateIndex }] of sequences.entries()) {
    const length = sequence.ids.length;
    const offset = row * seqLen + (isLeft ? seqLen - length : 0);
    let targets = 0;
    for (let t = 0; t < length; t++) {
      result.inputIds[offset + t] = BigInt(sequence.ids[t] as number);
      result.attentionMask[offset + t] = 1n;
      if (t > 0 && sequence.isTarget[t] === 1) {
        result.labels[offset + t] = BigInt(sequence.ids[t] as number);
        targets++;
      }
    }
    result.targetTokens[row] = targets;
    result.exampleOf[row] = exampleIndex;
    result.candidateOf[row] = candidateIndex;
  }
  return result;
}

/** Splits examples into consecutive batches of `examplesPerBatch` examples each (the last may be short). */
export function* batchesOf(
  examples: readonly EncodedExample[],
  examplesPerBatch: number,
  options: BatchOptions,
): Generator<TokenBatch> {
  for (let start = 0; start < examples.length; start += examplesPerBatch) {
    yield makeBatch(examples.slice(start, start + examplesPerBatch), options);
  }
}
