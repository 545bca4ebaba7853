// Hub datasets (hf:owner/name[:subset][@split]) against a local stand-in for the Hub (test/hub's fake
// server on 127.0.0.1): parquet listing, download into the cache, reuse of the cache, and errors.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoded, openSplit } from '../../core/data/dataset.ts';
import { parseHubSpec } from '../../core/data/hub-source.ts';
import { resolveSource } from '../../core/data/resolve-source.ts';
import { loadTokenizer } from '../../core/models/tokenizer.ts';
import { type FakeHub, startFakeHub } from '../hub/fake-hub.ts';
import { stories260k } from './helpers/paths.ts';

const sentences = ['a gem of a film .', 'dull and lifeless .', 'warm , funny , smart .'];

function sst2Parquet(offset: number): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'sentence', data: sentences, type: 'STRING' },
        { name: 'label', data: BigInt64Array.from([1n, 0n, 1n]), type: 'INT64' },
        { name: 'idx', data: Int32Array.from([offset, offset + 1, offset + 2]), type: 'INT32' },
      ],
    }),
  );
}

let hub: FakeHub;
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'zo-hub-data-'));
const previousEndpoint = process.env.HF_ENDPOINT;

beforeAll(async () => {
  hub = await startFakeHub();
  process.env.HF_ENDPOINT = hub.endpoint;
  hub.addParquet('nyu-mll/glue', 'sst2', 'train', [sst2Parquet(0), sst2Parquet(3)]);
  hub.addParquet('nyu-mll/glue', 'sst2', 'validation', [sst2Parquet(100)]);
});
afterAll(async () => {
  if (previousEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = previousEndpoint;
  await hub.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('Hub datasets', () => {
  it('parses hf:owner/name[:subset][@split]', () => {
    expect(parseHubSpec('hf:nyu-mll/glue:sst2@validation')).toEqual({
      id: 'nyu-mll/glue',
      subset: 'sst2',
      split: 'validation',
    });
    expect(parseHubSpec('hf:stanfordnlp/imdb')).toEqual({ id: 'stanfordnlp/imdb', subset: 'default' });
    expect(parseHubSpec('data/train.jsonl')).toBeUndefined();
    expect(() => parseHubSpec('hf:')).toThrow('expected hf:owner/name[:subset][@split]');
  });

  it('downloads every shard of each split, maps GLUE columns and renders the sst2 task', async () => {
    const progress: string[] = [];
    const source = await resolveSource('hf:nyu-mll/glue:sst2', {
      cacheDir,
      onProgress: (p) => progress.push(p.file),
    });
    expect(Object.keys(source.splits).sort()).toEqual(['train', 'validation']);
    expect(source.splits.train).toHaveLength(2);
    expect(progress).toContain('sst2/train/0.parquet');
    const tokenizer = await loadTokenizer(stories260k);
    const train = await openSplit(source, 'train', { task: 'sst2', tokenizer });
    expect(train.mapping).toEqual({ text: 'sentence', label: 'label' });
    const { rendered, report } = await loadEncoded(train, { tokenizer, maxLength: 64 });
    expect(report.examples).toBe(6); // two shards of three rows
    expect(rendered[0]).toMatchObject({ prompt: 'a gem of a film . It was', gold: 1 });
    expect(rendered[4]).toMatchObject({ prompt: 'dull and lifeless . It was', gold: 0 });
  });

  it('a second open reads the cache: no parquet file is fetched again', async () => {
    const fetchedBefore = hub.requests.filter((r) => r.url.endsWith('.parquet')).length;
    const source = await resolveSource('hf:nyu-mll/glue:sst2@validation', { cacheDir });
    expect(Object.keys(source.splits)).toEqual(['validation']);
    expect(hub.requests.filter((r) => r.url.endsWith('.parquet')).length).toBe(fetchedBefore);
  });

  it('an unknown dataset or split is an error naming it', async () => {
    await expect(resolveSource('hf:nobody/nothing', { cacheDir })).rejects.toThrow(
      /nobody\/nothing.*not found/,
    );
    await expect(resolveSource('hf:nyu-mll/glue:sst2@test', { cacheDir })).rejects.toThrow(
      /subset "sst2" and split "test"/,
    );
  });
});
