// Zero-shot evaluation of the real stories260k model (CPU) on every fixture dataset, with parity checks
// against the fixture's float64 reference: the tinystories mean NLL over the whole validation split
// (guards BOS handling, label alignment and token weighting in batching) and greedy decoding (guards the
// last-position logits and the decode loop). The whole-split sherlock parity (3.345313, also matched)
// costs ~25 s, so only a slice runs here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoded, openSplit } from '../../core/data/dataset.ts';
import { resolveLocalSource } from '../../core/data/source.ts';
import { evaluate, type Evaluation } from '../../core/eval/evaluate.ts';
import { greedyGenerate } from '../../core/eval/generate.ts';
import { loadModel } from '../../core/models/load.ts';
import { loadTokenizer, type Tokenizer } from '../../core/models/tokenizer.ts';
import { Engine } from '../../core/runtime/engine.ts';

const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const modelDir = path.join(fixtures, 'models/stories260k');
const reference = JSON.parse(readFileSync(path.join(modelDir, 'reference.json'), 'utf8')) as {
  greedy: { prompt: string; ids: number[] };
  dataset_mean_nll: Record<string, { rows: number; tokens: number; mean_nll: number }>;
};

let engine: Engine;
let tokenizer: Tokenizer;
const maxLength = 512;

beforeAll(async () => {
  const model = await loadModel(modelDir);
  tokenizer = await loadTokenizer(modelDir);
  engine = await Engine.create(model, { ep: 'cpu', peft: { kind: 'none' }, outputs: { lastLogits: true } });
});
afterAll(async () => engine?.dispose());

async function zeroShot(
  dataset: string,
  options: { rows?: number; maxNewTokens?: number; maxLength?: number } = {},
): Promise<Evaluation> {
  const { rows, maxNewTokens } = options;
  const split = await openSplit(
    await resolveLocalSource(path.join(fixtures, 'datasets', dataset)),
    'validation',
    { tokenizer },
  );
  const { encoded } = await loadEncoded(split, {
    tokenizer,
    maxLength: options.maxLength ?? maxLength,
    ...(rows ? { limit: rows } : {}),
  });
  // Shorter answers keep the test fast; SQuAD's own setting is 32 new tokens.
  const task =
    split.task.type === 'generation' && maxNewTokens ? { ...split.task, maxNewTokens } : split.task;
  return evaluate({ engine, params: engine.initialParams(), tokenizer, task, examples: encoded, maxLength });
}

describe('zero-shot stories260k', () => {
  it('tinystories: perplexity over the whole validation split matches the reference mean NLL', async () => {
    const expected = reference.dataset_mean_nll['tinystories/validation.jsonl'];
    const result = await zeroShot('tinystories');
    expect(result.metric).toBe('perplexity');
    expect(result.examples).toBe(expected?.rows);
    console.log(
      `tinystories: perplexity ${result.value.toFixed(4)} (log ${Math.log(result.value).toFixed(6)}, reference ${expected?.mean_nll})`,
    );
    expect(Math.log(result.value)).toBeCloseTo(expected?.mean_nll ?? NaN, 4);
  });

  it('sherlock: perplexity on 16 rows is far above in-domain tinystories (a domain shift)', async () => {
    const result = await zeroShot('sherlock', { rows: 16 });
    console.log(
      `sherlock: perplexity ${result.value.toFixed(4)} on 16 rows (whole split reference: exp(3.345) = 28.4)`,
    );
    expect(result.examples).toBe(16);
    expect(result.value).toBeGreaterThan(15);
  });

  // Accuracy and mean loss of the same rows from the independent transformers implementation.
  const golden = JSON.parse(
    readFileSync(path.join(import.meta.dirname, 'golden/hf-zero-shot.json'), 'utf8'),
  ) as {
    max_length: number;
    rows: number;
    datasets: Record<string, { accuracy: number; mean_loss: number }>;
  };
  for (const [name, expected] of Object.entries(golden.datasets)) {
    it(`${name}: accuracy and loss over ${golden.rows} examples match the transformers reference`, async () => {
      // 256 tokens keeps the long-passage tasks (BoolQ, RTE) fast; their prompts are cut from the left.
      const result = await zeroShot(name, { rows: golden.rows, maxLength: golden.max_length });
      console.log(`${name}: ${JSON.stringify(result.metrics)} loss ${result.loss.toFixed(4)}`);
      expect(result.metric).toBe('accuracy');
      expect(result.examples).toBe(golden.rows);
      expect(result.forwardPasses).toBe(golden.rows / 8);
      expect(result.value).toBe(expected.accuracy);
      expect(result.loss).toBeCloseTo(expected.mean_loss, 4);
    });
  }

  it('squad: greedy answers scored with F1 and exact match', async () => {
    const result = await zeroShot('squad', { rows: 4, maxNewTokens: 8 });
    console.log(`squad: ${JSON.stringify(result.metrics)} answers ${JSON.stringify(result.generations)}`);
    expect(result.metric).toBe('f1');
    expect(result.generations).toHaveLength(4);
    expect(result.generations?.every((text) => typeof text === 'string')).toBe(true);
    expect(result.metrics.exact_match).toBeLessThanOrEqual(result.metrics.f1 ?? 0);
  });

  it('greedy decoding reproduces the reference continuation of "Once upon a time"', async () => {
    const prompt = tokenizer.encode(reference.greedy.prompt);
    const newTokens = reference.greedy.ids.length - prompt.length;
    const { ids, forwardPasses } = await greedyGenerate(engine, engine.initialParams(), [prompt], {
      maxNewTokens: newTokens,
      eosId: tokenizer.eosId,
      padId: tokenizer.padId,
      maxLength,
    });
    expect([...prompt, ...(ids[0] ?? [])]).toEqual(reference.greedy.ids);
    expect(forwardPasses).toBe(newTokens);
  });
});
