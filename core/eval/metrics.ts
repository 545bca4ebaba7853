// Evaluation metrics. SQuAD F1 / exact match follow the official SQuAD v1.1 evaluation script
// (normalize: lower-case, drop ASCII punctuation (Python's string.punctuation) and the articles a/an/the, collapse whitespace; the score of
// a prediction is its best over all reference answers).

export function accuracy(predicted: ArrayLike<number>, gold: ArrayLike<number>): number {
  checkLengths(predicted, gold);
  let correct = 0;
  for (let i = 0; i < gold.length; i++) if (predicted[i] === gold[i]) correct++;
  return correct / gold.length;
}

/** Unweighted mean over classes of per-class F1; a class never predicted nor present is left out. */
export function macroF1(predicted: ArrayLike<number>, gold: ArrayLike<number>, classes: number): number {
  checkLengths(predicted, gold);
  const truePositive = new Float64Array(classes);
  const predictedCount = new Float64Array(classes);
  const goldCount = new Float64Array(classes);
  for (let i = 0; i < gold.length; i++) {
    const p = predicted[i] as number;
    const g = gold[i] as number;
    predictedCount[p] = (predictedCount[p] ?? 0) + 1;
    goldCount[g] = (goldCount[g] ?? 0) + 1;
    if (p === g) truePositive[g] = (truePositive[g] ?? 0) + 1;
  }
  let sum = 0;
  let counted = 0;
  for (let c = 0; c < classes; c++) {
    const denominator = (predictedCount[c] as number) + (goldCount[c] as number);
    if (denominator === 0) continue;
    sum += (2 * (truePositive[c] as number)) / denominator;
    counted++;
  }
  return counted === 0 ? 0 : sum / counted;
}

export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, '')
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter((token) => token.length > 0)
    .join(' ');
}

export function exactMatch(prediction: string, references: readonly string[]): number {
  const normalized = normalizeAnswer(prediction);
  return references.some((reference) => normalizeAnswer(reference) === normalized) ? 1 : 0;
}

export function tokenF1(prediction: string, references: readonly string[]): number {
  const predicted = normalizeAnswer(prediction).split(' ').filter(Boolean);
  return Math.max(
    0,
    ...references.map((reference) => {
      const gold = normalizeAnswer(reference).split(' ').filter(Boolean);
      // SQuAD's rule: when either side is empty, F1 is 1 only if both are.
      if (predicted.length === 0 || gold.length === 0) return predicted.length === gold.length ? 1 : 0;
      const remaining = new Map<string, number>();
      for (const token of gold) remaining.set(token, (remaining.get(token) ?? 0) + 1);
      let common = 0;
      for (const token of predicted) {
        const left = remaining.get(token) ?? 0;
        if (left > 0) {
          common++;
          remaining.set(token, left - 1);
        }
      }
      if (common === 0) return 0;
      const precision = common / predicted.length;
      const recall = common / gold.length;
      return (2 * precision * recall) / (precision + recall);
    }),
  );
}

/** exp(total NLL / total tokens): token-weighted, so long rows count for their length. */
export function perplexity(totalNll: number, totalTokens: number): number {
  if (totalTokens === 0) throw new Error('perplexity: no scored tokens');
  return Math.exp(totalNll / totalTokens);
}

function checkLengths(predicted: ArrayLike<number>, gold: ArrayLike<number>): void {
  if (predicted.length !== gold.length)
    throw new Error(`${predicted.length} predictions for ${gold.length} gold labels`);
  if (gold.length === 0) throw new Error('no examples to score');
}
