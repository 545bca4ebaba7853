// The batch a forward pass consumes, and its validation: a bad id or label would otherwise surface as an
// opaque ORT Gather/GatherElements error deep inside the graph.

export interface Batch {
  batch: number;
  seqLen: number;
  /** [batch, seqLen] token ids. */
  inputIds: BigInt64Array;
  /** [batch, seqLen] 1 = real token, 0 = padding (either side). */
  attentionMask: BigInt64Array;
  /** [batch, seqLen] HF convention: position t+1 is predicted from t; −100 = ignored. */
  labels: BigInt64Array;
  /** [batch, candidates] token ids whose logits `candidate_logits` reports. */
  candidateIds?: BigInt64Array;
  candidates?: number;
  /** [batch] answer position per row, when the engine was built with `answerPos`. */
  answerPos?: BigInt64Array;
}

export interface BatchLimits {
  vocab: number;
  maxSeqLen: number;
  needsCandidates: boolean;
  needsAnswerPos: boolean;
}

function checkIds(
  values: BigInt64Array,
  field: string,
  seqLen: number,
  vocab: number,
  allowIgnore: boolean,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as bigint;
    if ((v < 0n || v >= BigInt(vocab)) && !(allowIgnore && v === -100n)) {
      const allowed = allowIgnore ? `0..${vocab - 1} or -100` : `0..${vocab - 1}`;
      throw new Error(
        `batch row ${Math.floor(i / seqLen)} position ${i % seqLen}: ${field} is ${v}; expected ${allowed}`,
      );
    }
  }
}

export function validateBatch(b: Batch, limits: BatchLimits): void {
  if (!Number.isInteger(b.batch) || b.batch < 1)
    throw new Error(`batch: batch must be a positive integer, got ${b.batch}`);
  if (!Number.isInteger(b.seqLen) || b.seqLen < 2)
    throw new Error(`batch: seqLen must be at least 2, got ${b.seqLen}`);
  if (b.seqLen > limits.maxSeqLen) {
    throw new Error(`batch: seqLen ${b.seqLen} exceeds the model's ${limits.maxSeqLen} positions`);
  }
  const size = b.batch * b.seqLen;
  for (const [field, values] of [
    ['inputIds', b.inputIds],
    ['attentionMask', b.attentionMask],
    ['labels', b.labels],
  ] as const) {
    if (values.length !== size)
      throw new Error(`batch: ${field} has ${values.length} values, expected batch·seqLen = ${size}`);
  }
  checkIds(b.inputIds, 'input id', b.seqLen, limits.vocab, false);
  checkIds(b.labels, 'label', b.seqLen, limits.vocab, true);
  for (let i = 0; i < size; i++) {
    const m = b.attentionMask[i];
    if (m !== 0n && m !== 1n)
      throw new Error(
        `batch row ${Math.floor(i / b.seqLen)} position ${i % b.seqLen}: attention mask is ${m}; expected 0 or 1`,
      );
  }
  if (limits.needsCandidates) {
    if (!b.candidateIds || !b.candidates)
      throw new Error('batch: this engine reports candidate logits; pass candidateIds and candidates');
    if (b.candidateIds.length !== b.batch * b.candidates) {
      throw new Error(
        `batch: candidateIds has ${b.candidateIds.length} values, expected batch·candidates = ${b.batch * b.candidates}`,
      );
    }
    checkIds(b.candidateIds, 'candidate id', b.candidates, limits.vocab, false);
  }
  if (limits.needsAnswerPos) {
    if (!b.answerPos || b.answerPos.length !== b.batch)
      throw new Error(`batch: answerPos must hold one position per row (${b.batch})`);
    b.answerPos.forEach((p, row) => {
      if (p < 0n || p >= BigInt(b.seqLen))
        throw new Error(`batch row ${row}: answerPos ${p} is outside 0..${b.seqLen - 1}`);
    });
  }
}
