// Encoding, truncation, batching bookkeeping and the candidate loss of estimators.md §0.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../core/data/batches.ts';
import { encodeExample, type EncodedExample } from '../../core/data/encode.ts';
import { batchLoss, exampleLosses, predictions } from '../../core/data/example-loss.ts';
import { sampleCounts, sampleKShot } from '../../core/data/k-shot.ts';
import { packLanguageModeling } from '../../core/data/packing.ts';
import { loadEncoded, openSplit } from '../../core/data/dataset.ts';
import { resolveLocalSource } from '../../core/data/source.ts';
import { loadTokenizer } from '../../core/models/tokenizer.ts';
import { datasetsDir, stories260k } from './helpers/paths.ts';

const example = (gold: number, lengths: number[]): EncodedExample => ({
  line: 1,
  gold,
  isTruncated: false,
  sequences: lengths.map((length) => ({
    ids: Array.from({ length }, (_, i) => 10 + i),
    isTarget: Uint8Array.from({ length }, (_, i) => (i === length - 1 ? 1 : 0)),
  })),
});

describe('encoding and truncation', () => {
  it('a long prompt loses its oldest tokens after BOS; the candidate stays whole', async () => {
    const tokenizer = await loadTokenizer(stories260k);
    const prompt = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const encoded = encodeExample(
      tokenizer,
      {
        kind: 'candidates',
        line: 4,
        prompt: `${prompt} It was`,
        candidates: [' terrible', ' great'],
        gold: 1,
      },
      { maxLength: 32 },
    );
    expect(encoded.isTruncated).toBe(true);
    for (const [index, sequence] of encoded.sequences.entries()) {
      expect(sequence.ids).toHaveLength(32);
      expect(sequence.ids[0]).toBe(tokenizer.bosId);
      const target = sequence.ids.filter((_, t) => sequence.isTarget[t] === 1);
      expect(tokenizer.decode(target).trim()).toBe(['terrible', 'great'][index]);
      expect(tokenizer.decode(sequence.ids, { skipSpecialTokens: true })).toMatch(
        /word59 It was (terrible|great)$/,
      );
    }
    const short = encodeExample(
      tokenizer,
      { kind: 'text', line: 1, text: 'Once upon a time' },
      { maxLength: 32 },
    );
    expect(short).toMatchObject({ isTruncated: false, gold: -1 });
    expect(short.sequences[0]?.ids).toEqual([1, 403, 407, 261, 378]);
  });
});

describe('batches', () => {
  it('flattens candidates into rows and remembers which example and candidate each row is', () => {
    const batch = makeBatch([example(1, [3, 5]), example(-1, [4])], { padId: 0 });
    expect([batch.batch, batch.seqLen, batch.examples]).toEqual([3, 5, 2]);
    expect(Array.from(batch.exampleOf)).toEqual([0, 0, 1]);
    expect(Array.from(batch.candidateOf)).toEqual([0, 1, 0]);
    expect(Array.from(batch.gold)).toEqual([1, -1]);
    expect(Array.from(batch.inputIds.subarray(0, 5))).toEqual([10n, 11n, 12n, 0n, 0n]);
    expect(Array.from(batch.labels.subarray(0, 5))).toEqual([-100n, -100n, 12n, -100n, -100n]);
    const left = makeBatch([example(1, [3, 5])], { padId: 0, padSide: 'left' });
    expect(Array.from(left.inputIds.subarray(0, 5))).toEqual([0n, 0n, 10n, 11n, 12n]);
    expect(Array.from(left.attentionMask.subarray(0, 5))).toEqual([0n, 0n, 1n, 1n, 1n]);
  });

  it('candidate loss is cross-entropy over −(mean NLL) scores; with one-token label words it is the softmax over their logits', () => {
    // One prompt, logits over a 6-word vocabulary at the answer position; label words are ids 2 and 5.
    const logits = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1];
    const logSumExp = Math.log(logits.reduce((sum, l) => sum + Math.exp(l), 0));
    const nll = (id: number) => logSumExp - (logits[id] as number);
    const batch = makeBatch([example(1, [4, 4])], { padId: 0 });
    const sequenceLoss = Float32Array.from([nll(2), nll(5)]);
    const restricted = -Math.log(
      Math.exp(logits[5] as number) / (Math.exp(logits[2] as number) + Math.exp(logits[5] as number)),
    );
    expect(exampleLosses(batch, sequenceLoss)[0]).toBeCloseTo(restricted, 6);
    expect(Array.from(predictions(batch, sequenceLoss))).toEqual([0]); // id 2 has the larger logit
    // Single-sequence examples keep their own loss; the batch loss is the mean.
    const mixed = makeBatch([example(0, [3, 3]), example(-1, [3])], { padId: 0 });
    const losses = Float32Array.from([1, 2, 0.5]);
    const ce = Math.log(1 + Math.exp(-1));
    expect(Array.from(exampleLosses(mixed, losses))).toEqual([expect.closeTo(ce, 6), 0.5]);
    expect(batchLoss(mixed, losses)).toBeCloseTo((ce + 0.5) / 2, 6);
  });
});

describe('packing', () => {
  it('joins rows with EOS and cuts full windows, losing no token', () => {
    const rows = [5, 7, 3].map((length, i) => ({ ...example(-1, [length]), line: i + 1 }));
    const packed = packLanguageModeling(rows, 6, 2);
    const stream = rows.flatMap((row) => [...(row.sequences[0]?.ids ?? []), 2]);
    expect(packed.flatMap((p) => p.sequences[0]?.ids ?? [])).toEqual(stream);
    expect(packed.map((p) => p.sequences[0]?.ids.length)).toEqual([6, 6, 6]);
    // A window is numbered by the row it starts in: the third starts with the end of row 2.
    expect(packed.map((p) => p.line)).toEqual([1, 2, 2]);
    expect(() => packLanguageModeling([example(0, [3, 3])], 6, 2)).toThrow(
      'only language-modelling examples can be packed',
    );
  });
});

describe('packing a split', () => {
  it('tinystories packed into 128-token windows keeps every token, with no truncation', async () => {
    const tokenizer = await loadTokenizer(stories260k);
    const open = async () =>
      openSplit(await resolveLocalSource(path.join(datasetsDir, 'tinystories')), 'validation', { tokenizer });
    const plain = await loadEncoded(await open(), { tokenizer, maxLength: 4096, limit: 20 });
    const packed = await loadEncoded(await open(), { tokenizer, maxLength: 128, limit: 20, pack: true });
    const rowTokens = plain.encoded.reduce((sum, e) => sum + (e.sequences[0]?.ids.length ?? 0) + 1, 0); // + EOS each
    const windows = packed.encoded.map((e) => e.sequences[0]?.ids.length ?? 0);
    expect(packed.report.truncated).toBe(0);
    expect(windows.slice(0, -1).every((length) => length === 128)).toBe(true);
    expect(windows.reduce((sum, length) => sum + length, 0)).toBe(rowTokens);
    expect(packed.rendered).toHaveLength(20);
    const sst2 = await openSplit(await resolveLocalSource(path.join(datasetsDir, 'sst2')), 'validation', {
      tokenizer,
    });
    await expect(loadEncoded(sst2, { tokenizer, maxLength: 128, pack: true })).rejects.toThrow(
      'packing applies to language modelling; task "sst2" is classification',
    );
  });
});

describe('k-shot sampling', () => {
  const items = Array.from({ length: 300 }, (_, i) => ({
    id: i,
    label: i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : 2,
  }));

  it('takes k per class for train and the next k per class for validation, as a pure function of the seed', () => {
    const sample = sampleKShot(items, { k: 16, seed: 13, classOf: (item) => item.label });
    expect(sample.train).toHaveLength(48);
    expect(sample.validation).toHaveLength(48);
    for (const cls of [0, 1, 2]) expect(sample.train.filter((item) => item.label === cls)).toHaveLength(16);
    const trainIds = new Set(sample.train.map((item) => item.id));
    expect(sample.validation.some((item) => trainIds.has(item.id))).toBe(false);
    expect(sampleKShot(items, { k: 16, seed: 13, classOf: (item) => item.label })).toEqual(sample);
    expect(sampleKShot(items, { k: 16, seed: 21, classOf: (item) => item.label }).train).not.toEqual(
      sample.train,
    );
    expect(
      sampleKShot(items.slice(0, 40), { k: 16, seed: 13, classOf: (item) => item.label }).shortClasses,
    ).toEqual([0, 1, 2]);
  });

  it('samples fixed disjoint counts (MeZO: 1000 / 500 / 1000) and refuses impossible ones', () => {
    const [train, dev, test] = sampleCounts(items, [100, 50, 100], 42);
    const ids = [...(train ?? []), ...(dev ?? []), ...(test ?? [])].map((item) => item.id);
    expect(new Set(ids).size).toBe(250);
    expect(() => sampleCounts(items, [200, 200], 42)).toThrow('cannot sample 200 + 200 = 400 rows from 300');
  });
});
