// Parity with an independent Python implementation (test/eval/golden/hf-zero-shot*.json, written by
// test/eval/reference/hf_zero_shot.py with transformers + tokenizers + jinja2 in float64), one golden
// file per fixture model: stories260k on the seven classification fixtures plus SQuAD, and each
// tiny-random model (GPT-2, OPT, Qwen2, Llama tokenizers) on SST-2, COPA and RTE at 128 tokens, where
// RTE's truncation is exercised. Row by row it checks the rendered prompt and candidates
// (@huggingface/jinja vs jinja2), the option tokens (our prefix re-tokenization vs character offsets),
// left truncation (BOS kept only where the tokenizer adds one), every candidate score (mean
// log-probability, 1e-4), the prediction and the cross-entropy; and SQuAD greedy answers token for
// token. Regenerate with the script on a machine with PyTorch when templates, tasks or fixtures change,
// and say why in the commit.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBatch } from '../../core/data/batches.ts';
import { loadEncoded, openSplit } from '../../core/data/dataset.ts';
import { candidateScores, exampleLosses } from '../../core/data/example-loss.ts';
import { resolveLocalSource } from '../../core/data/source.ts';
import { greedyGenerate } from '../../core/eval/generate.ts';
import { loadModel } from '../../core/models/load.ts';
import { loadTokenizer, type Tokenizer } from '../../core/models/tokenizer.ts';
import { Engine } from '../../core/runtime/engine.ts';

interface GoldenExample {
  line: number;
  prompt: string;
  candidates: string[];
  option_ids: number[][];
  scores: number[];
  loss: number;
  gold: number;
  pred: number;
}

interface Golden {
  model: string;
  max_length: number;
  rows: number;
  datasets: Record<string, { accuracy: number; mean_loss: number; examples: GoldenExample[] }>;
  squad?: { max_length: number; max_new_tokens: number; generations: { line: number; new_ids: number[] }[] };
}

const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const goldenDir = path.join(import.meta.dirname, 'golden');
const goldens = readdirSync(goldenDir)
  .filter((name) => name.startsWith('hf-zero-shot') && name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(path.join(goldenDir, name), 'utf8')) as Golden);

for (const golden of goldens) {
  describe(`${golden.model}: parity with transformers + jinja2 (float64)`, () => {
    const modelDir = path.join(fixtures, 'models', golden.model);
    let engine: Engine;
    let tokenizer: Tokenizer;
    beforeAll(async () => {
      tokenizer = await loadTokenizer(modelDir);
      engine = await Engine.create(await loadModel(modelDir), {
        ep: 'cpu',
        peft: { kind: 'none' },
        outputs: { lastLogits: true },
      });
    });
    afterAll(async () => engine?.dispose());

    const load = async (dataset: string, rows: number, maxLength: number) => {
      const source = await resolveLocalSource(path.join(fixtures, 'datasets', dataset));
      const split = await openSplit(source, 'validation', { tokenizer });
      return loadEncoded(split, { tokenizer, maxLength, limit: rows });
    };

    for (const [dataset, reference] of Object.entries(golden.datasets)) {
      it(`${dataset}: prompts, option tokens, candidate scores and predictions for ${golden.rows} rows`, async () => {
        const { rendered, encoded } = await load(dataset, golden.rows, golden.max_length);
        expect(encoded).toHaveLength(reference.examples.length);
        const batch = makeBatch(encoded, { padId: tokenizer.padId });
        const { loss } = await engine.forward(batch, engine.initialParams());
        const scores = candidateScores(batch, loss);
        const losses = exampleLosses(batch, loss);
        let worst = 0;
        reference.examples.forEach((expected, i) => {
          const example = rendered[i];
          if (example?.kind !== 'candidates')
            throw new Error(`${dataset} row ${expected.line}: not a candidate example`);
          expect(example.line).toBe(expected.line);
          expect(example.prompt).toBe(expected.prompt);
          expect(example.candidates).toEqual(expected.candidates);
          expect(example.gold).toBe(expected.gold);
          const optionIds = encoded[i]?.sequences.map((s) => s.ids.filter((_, t) => s.isTarget[t] === 1));
          expect(optionIds).toEqual(expected.option_ids);
          scores[i]?.forEach(
            (score, c) => (worst = Math.max(worst, Math.abs(score - (expected.scores[c] as number)))),
          );
          expect(losses[i]).toBeCloseTo(expected.loss, 4);
          const row = scores[i] as number[];
          expect(row.indexOf(Math.max(...row))).toBe(expected.pred);
        });
        console.log(`${golden.model} ${dataset}: max |score − reference| ${worst.toExponential(2)}`);
        expect(worst).toBeLessThan(1e-4);
      });
    }

    const squad = golden.squad;
    if (squad) {
      it('squad: greedy answers are token-for-token those of transformers.generate', async () => {
        const { encoded } = await load('squad', squad.generations.length, squad.max_length);
        const { ids } = await greedyGenerate(
          engine,
          engine.initialParams(),
          encoded.map((example) => example.promptIds ?? []),
          {
            maxNewTokens: squad.max_new_tokens,
            eosId: tokenizer.eosId,
            padId: tokenizer.padId,
            maxLength: squad.max_length,
          },
        );
        expect(ids).toEqual(squad.generations.map((g) => g.new_ids));
      });
    }
  });
}
