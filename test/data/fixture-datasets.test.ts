// Every real fixture dataset loads, maps, renders, encodes and batches with the right targets.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ignoreIndex, makeBatch } from '../../core/data/batches.ts';
import { loadEncoded, openSplit } from '../../core/data/dataset.ts';
import type { EncodedExample } from '../../core/data/encode.ts';
import type { RenderedExample } from '../../core/data/render.ts';
import { resolveLocalSource } from '../../core/data/source.ts';
import { loadTokenizer, type Tokenizer } from '../../core/models/tokenizer.ts';
import { datasetsDir, stories260k } from './helpers/paths.ts';

interface RawRow {
  label?: number;
  choices?: string[];
  answers?: { text: string[] };
  text?: string;
}

const expectations: Record<string, { task: string; kind: RenderedExample['kind']; candidates?: string[] }> = {
  sst2: { task: 'sst2', kind: 'candidates', candidates: [' terrible', ' great'] },
  sst5: { task: 'sst5', kind: 'candidates', candidates: [' terrible', ' bad', ' okay', ' good', ' great'] },
  trec: {
    task: 'trec',
    kind: 'candidates',
    candidates: [' Description', ' Entity', ' Expression', ' Human', ' Location', ' Number'],
  },
  rte: { task: 'rte', kind: 'candidates', candidates: ['Yes', 'No'] },
  cb: { task: 'cb', kind: 'candidates', candidates: ['Yes', 'No', 'Maybe'] },
  boolq: { task: 'boolq', kind: 'candidates', candidates: [' No', ' Yes'] },
  copa: { task: 'copa', kind: 'candidates' },
  squad: { task: 'squad', kind: 'target' },
  tinystories: { task: 'lm', kind: 'text' },
  sherlock: { task: 'lm', kind: 'text' },
};

function readRaw(file: string): RawRow[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RawRow);
}

/** The tokens a sequence is scored on, read back from the batch's labels. */
function labelledIds(labels: BigInt64Array, row: number, seqLen: number): number[] {
  return Array.from(labels.subarray(row * seqLen, (row + 1) * seqLen))
    .filter((label) => label !== ignoreIndex)
    .map(Number);
}

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(stories260k);
});

describe('fixture datasets', () => {
  for (const [name, expected] of Object.entries(expectations)) {
    it(`${name}: every validation row maps, renders and batches with its gold target`, async () => {
      const dir = path.join(datasetsDir, name);
      const info = JSON.parse(readFileSync(path.join(dir, 'dataset.json'), 'utf8')) as {
        splits: { validation: number };
      };
      const raw = readRaw(path.join(dir, 'validation.jsonl'));
      const split = await openSplit(await resolveLocalSource(dir), 'validation', { tokenizer });
      expect(split.task.name).toBe(expected.task);
      const { rendered, encoded, report } = await loadEncoded(split, { tokenizer, maxLength: 512 });
      expect(report.examples).toBe(info.splits.validation);
      expect(report.skipped).toBe(0);
      expect(rendered.every((example) => example.kind === expected.kind)).toBe(true);

      // Targets: the gold candidate is the row's label; the scored tokens spell the candidate.
      for (const [index, example] of rendered.entries()) {
        const row = raw[index] as RawRow;
        const encodedExample = encoded[index] as EncodedExample;
        if (example.kind === 'candidates') {
          expect(example.gold).toBe(row.label);
          if (expected.candidates) expect(example.candidates).toEqual(expected.candidates);
          else
            expect(example.candidates.map((c) => c.trim().toLowerCase())).toEqual(
              row.choices?.map((c) => c.toLowerCase()),
            );
          expect(encodedExample.sequences).toHaveLength(example.candidates.length);
        } else if (example.kind === 'target') {
          expect(example.target).toBe(` ${row.answers?.text[0]}`);
          expect(encodedExample.references).toEqual(row.answers?.text);
        } else if (example.kind === 'text') {
          expect(example.text).toBe(row.text);
        }
      }

      // A batch of the first three examples: one row per sequence, labels exactly on the target tokens.
      const first = encoded.slice(0, 3);
      for (const padSide of ['right', 'left'] as const) {
        const batch = makeBatch(first, { padId: tokenizer.padId, padSide });
        const sequences = first.flatMap((example) => example.sequences);
        expect(batch.batch).toBe(sequences.length);
        expect(batch.seqLen).toBe(Math.max(...sequences.map((s) => s.ids.length)));
        expect(Array.from(batch.gold)).toEqual(first.map((example) => example.gold));
        sequences.forEach((sequence, row) => {
          const targets = sequence.ids.filter((_, t) => t > 0 && sequence.isTarget[t] === 1);
          expect(labelledIds(batch.labels, row, batch.seqLen)).toEqual(targets);
          expect(batch.targetTokens[row]).toBe(targets.length);
          const mask = Array.from(batch.attentionMask.subarray(row * batch.seqLen, (row + 1) * batch.seqLen));
          expect(mask.filter((m) => m === 1n)).toHaveLength(sequence.ids.length);
          // Right padding puts the real tokens first, left padding last.
          expect(padSide === 'right' ? mask[0] : mask[batch.seqLen - 1]).toBe(1n);
        });
        const example0 = rendered[0] as RenderedExample;
        if (example0.kind === 'candidates') {
          const goldRow = first[0]?.gold as number;
          const scored = tokenizer.decode(labelledIds(batch.labels, goldRow, batch.seqLen));
          expect(scored.trim()).toBe(example0.candidates[goldRow]?.trim());
        }
        if (example0.kind === 'text') {
          // Language modelling scores every token after BOS.
          expect(batch.targetTokens[0]).toBe((first[0]?.sequences[0]?.ids.length ?? 0) - 1);
        }
      }
    });
  }
});
