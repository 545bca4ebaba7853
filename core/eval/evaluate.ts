// Evaluation of a model (base weights = the zero-shot baseline, or trained parameters) on encoded
// examples of one task: candidate tasks are scored by mean log-likelihood per candidate (MeZO
// inference), generation tasks by greedy decoding against the references, raw text and chats by
// token-weighted perplexity. Every task also reports its mean example loss, the quantity training
// minimizes, and the forward passes spent.
import { batchesOf, type PadSide } from '../data/batches.ts';
import type { EncodedExample } from '../data/encode.ts';
import { exampleLosses, predictions } from '../data/example-loss.ts';
import type { MetricName, TaskDefinition } from '../data/tasks/definition.ts';
import type { Tokenizer } from '../models/tokenizer.ts';
import type { Engine } from '../runtime/engine.ts';
import { greedyGenerate } from './generate.ts';
import { accuracy, exactMatch, macroF1, perplexity, tokenF1 } from './metrics.ts';

export interface EvaluateOptions {
  engine: Pick<Engine, 'forward'>;
  params: readonly Float32Array[];
  tokenizer: Tokenizer;
  task: TaskDefinition;
  examples: readonly EncodedExample[];
  /** The model's context in tokens (generation leaves room for new tokens inside it). */
  maxLength: number;
  /** Examples per forward pass (each brings all its candidates). */
  batchSize?: number;
  padSide?: PadSide;
  onProgress?: (done: number, total: number) => void;
}

export interface Evaluation {
  task: string;
  /** The task's headline metric (its first) and its value. */
  metric: MetricName;
  value: number;
  metrics: Partial<Record<MetricName, number>>;
  /** Mean per-example loss (cross-entropy over candidates, or target NLL). */
  loss: number;
  examples: number;
  forwardPasses: number;
  /** Generation tasks: the decoded answers, for inspection. */
  generations?: string[];
}

export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
  const { engine, params, tokenizer, task, examples } = options;
  if (examples.length === 0) throw new Error(`evaluate ${task.name}: no examples`);
  const batchSize = options.batchSize ?? 8;
  const batching = { padId: tokenizer.padId, padSide: options.padSide ?? 'right' };
  let forwardPasses = 0;
  let lossSum = 0;
  let nllSum = 0;
  let tokenSum = 0;
  const predicted: number[] = [];
  let done = 0;
  for (const batch of batchesOf(examples, batchSize, batching)) {
    const { loss } = await engine.forward(batch, params);
    forwardPasses++;
    exampleLosses(batch, loss).forEach((value) => (lossSum += value));
    predicted.push(...predictions(batch, loss));
    for (let row = 0; row < batch.batch; row++) {
      nllSum += (loss[row] as number) * (batch.targetTokens[row] as number);
      tokenSum += batch.targetTokens[row] as number;
    }
    done += batch.examples;
    options.onProgress?.(done, examples.length);
  }

  const metrics: Partial<Record<MetricName, number>> = {};
  let generations: string[] | undefined;
  const gold = examples.map((example) => example.gold);
  const wants = (name: MetricName) => task.metrics.includes(name);
  if (wants('accuracy')) metrics.accuracy = accuracy(predicted, gold);
  if (wants('macro_f1'))
    metrics.macro_f1 = macroF1(predicted, gold, Math.max(...examples.map((e) => e.sequences.length)));
  if (wants('perplexity')) metrics.perplexity = perplexity(nllSum, tokenSum);
  if (wants('f1') || wants('exact_match')) {
    if (task.type !== 'generation') throw new Error(`task ${task.name}: F1/EM need a generation task`);
    const prompts = examples.map((example) => example.promptIds ?? []);
    const outputs: number[][] = [];
    // Decoding runs in batches too; each batch costs up to maxNewTokens forward passes.
    for (let start = 0; start < prompts.length; start += batchSize) {
      const slice = prompts.slice(start, start + batchSize);
      const { ids, forwardPasses: steps } = await greedyGenerate(engine, params, slice, {
        maxNewTokens: task.maxNewTokens,
        eosId: tokenizer.eosId,
        padId: tokenizer.padId,
        maxLength: options.maxLength,
      });
      forwardPasses += steps;
      outputs.push(...ids);
    }
    // Answers end at the first line break, as in MeZO's generation tasks.
    generations = outputs.map(
      (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }).trim().split('\n')[0] ?? '',
    );
    const references = examples.map((example) => example.references ?? []);
    const mean = (score: (prediction: string, refs: readonly string[]) => number) =>
      generations!.reduce((sum, text, i) => sum + score(text, references[i] as string[]), 0) /
      generations!.length;
    if (wants('f1')) metrics.f1 = mean(tokenF1);
    if (wants('exact_match')) metrics.exact_match = mean(exactMatch);
  }
  const metric = task.metrics[0] as MetricName;
  return {
    task: task.name,
    metric,
    value: metrics[metric] as number,
    metrics,
    loss: lossSum / examples.length,
    examples: examples.length,
    forwardPasses,
    ...(generations ? { generations } : {}),
  };
}
