import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listRepoFiles } from '../../core/hub/api.ts';
import { downloadDatasetParquet } from '../../core/hub/download-dataset.ts';
import { downloadRepoFile, type DownloadProgress } from '../../core/hub/download-file.ts';
import { downloadModel } from '../../core/hub/download-model.ts';
import { HubError } from '../../core/hub/errors.ts';
import { loadModel } from '../../core/models/load.ts';
import { writeSafetensors } from '../../core/models/safetensors/write.ts';
import { copyConfig, fixtureTensors, MODELS_DIR } from '../models/checkpoint-files.ts';
import { startFakeHub, type FakeHub } from './fake-hub.ts';

const STORIES = path.join(MODELS_DIR, 'stories260k');
const STORIES_FILES = [
  'config.json',
  'generation_config.json',
  'model.safetensors',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

let hub: FakeHub;
let cacheDir: string;
const savedEnv = { HF_ENDPOINT: process.env.HF_ENDPOINT, HF_TOKEN: process.env.HF_TOKEN };

beforeEach(async () => {
  hub = await startFakeHub();
  hub.addModel('karpathy/stories260k', STORIES);
  process.env.HF_ENDPOINT = hub.endpoint;
  delete process.env.HF_TOKEN;
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'zo-hub-'));
});

afterEach(async () => {
  await hub.close();
  rmSync(cacheDir, { recursive: true, force: true });
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

function resolveRequests(file: string): { range: string | undefined }[] {
  return hub.requests.filter((request) => request.url.endsWith(`/resolve/main/${file}`));
}

describe('downloadModel', () => {
  it('fetches config, tokenizer and weights (not the rest) byte-identical, and loadModel reads the result', async () => {
    const events: DownloadProgress[] = [];
    const dir = await downloadModel('karpathy/stories260k', { cacheDir, onProgress: (p) => events.push(p) });
    expect(dir).toBe(path.join(cacheDir, 'models--karpathy--stories260k', 'main'));
    for (const file of STORIES_FILES) {
      expect(readFileSync(path.join(dir, file)).equals(readFileSync(path.join(STORIES, file))), file).toBe(
        true,
      );
    }
    // README.md, reference.json and original/* are in the repo but not needed to load the model.
    expect(existsSync(path.join(dir, 'reference.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'original'))).toBe(false);
    expect(hub.requests.some((request) => request.url.includes('original'))).toBe(false);
    expect((await loadModel(dir)).parameters).toBe(260_032);

    // Progress per file: never decreasing, total constant, ending at the file size.
    const weights = events.filter((event) => event.file === 'model.safetensors');
    const size = readFileSync(path.join(STORIES, 'model.safetensors')).byteLength;
    expect(weights.every((event) => event.totalBytes === size)).toBe(true);
    expect(weights.map((event) => event.loadedBytes)).toEqual(
      [...weights.map((event) => event.loadedBytes)].sort((a, b) => a - b),
    );
    expect(weights.at(-1)?.loadedBytes).toBe(size);
  });

  it('is a no-op the second time: complete files are not fetched again', async () => {
    await downloadModel('karpathy/stories260k', { cacheDir });
    const before = hub.requests.length;
    await downloadModel('karpathy/stories260k', { cacheDir });
    // Only the repo listing is requested again.
    expect(hub.requests.slice(before).map((request) => request.url)).toEqual([
      '/api/models/karpathy/stories260k',
    ]);
  });

  it('resumes with a Range request when the server drops the connection midway', async () => {
    hub.dropAfter('model.safetensors', 400_000);
    const dir = await downloadModel('karpathy/stories260k', { cacheDir });
    const requests = resolveRequests('model.safetensors');
    expect(requests).toHaveLength(2);
    expect(requests[0]?.range).toBeUndefined();
    // The retry asks only for what is missing (whatever reached the disk before the drop).
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(requests[1]?.range ?? '')?.[1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThanOrEqual(400_000);
    expect(
      readFileSync(path.join(dir, 'model.safetensors')).equals(
        readFileSync(path.join(STORIES, 'model.safetensors')),
      ),
    ).toBe(true);
    expect(existsSync(path.join(dir, 'model.safetensors.partial'))).toBe(false);
  });

  it('starts over when the server ignores Range', async () => {
    hub.dropAfter('model.safetensors', 300_000);
    hub.ignoreRange = true;
    const dir = await downloadModel('karpathy/stories260k', { cacheDir });
    expect(resolveRequests('model.safetensors')).toHaveLength(2);
    expect(
      readFileSync(path.join(dir, 'model.safetensors')).equals(
        readFileSync(path.join(STORIES, 'model.safetensors')),
      ),
    ).toBe(true);
  });

  it('stops on abort, keeps the partial file, and a later call resumes it', async () => {
    const controller = new AbortController();
    const error = await rejection(
      downloadModel('karpathy/stories260k', {
        cacheDir,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file === 'model.safetensors' && p.loadedBytes > 100_000) controller.abort();
        },
      }),
    );
    expect(error.name).toBe('AbortError');
    const dir = path.join(cacheDir, 'models--karpathy--stories260k', 'main');
    expect(existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
    const saved = readFileSync(path.join(dir, 'model.safetensors.partial')).byteLength;
    expect(saved).toBeGreaterThan(100_000);

    await downloadModel('karpathy/stories260k', { cacheDir });
    expect(resolveRequests('model.safetensors').at(-1)?.range).toBe(`bytes=${saved}-`);
    expect(
      readFileSync(path.join(dir, 'model.safetensors')).equals(
        readFileSync(path.join(STORIES, 'model.safetensors')),
      ),
    ).toBe(true);
  });

  it('discards a resumed download whose bytes do not match the SHA-256 the Hub lists', async () => {
    // A stale partial from an older version of the file: resuming appends the new tail to old bytes.
    const dir = path.join(cacheDir, 'models--karpathy--stories260k', 'main');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.safetensors.partial'), Buffer.alloc(1000, 7));
    const error = await rejection(downloadModel('karpathy/stories260k', { cacheDir }));
    expect(error.message).toMatch(
      /^karpathy\/stories260k \(model.safetensors\): SHA-256 differs from the Hub's [0-9a-f]{64}; the download was discarded, run it again$/,
    );
    expect(existsSync(path.join(dir, 'model.safetensors.partial'))).toBe(false);
    expect(existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
    await downloadModel('karpathy/stories260k', { cacheDir });
    expect(
      readFileSync(path.join(dir, 'model.safetensors')).equals(
        readFileSync(path.join(STORIES, 'model.safetensors')),
      ),
    ).toBe(true);
  });

  it('shares one transfer between concurrent calls for the same model', async () => {
    const [first, second] = await Promise.all([
      downloadModel('karpathy/stories260k', { cacheDir }),
      downloadModel('karpathy/stories260k', { cacheDir }),
    ]);
    expect(second).toBe(first);
    expect(resolveRequests('model.safetensors')).toHaveLength(1);
    expect(
      readFileSync(path.join(first, 'model.safetensors')).equals(
        readFileSync(path.join(STORIES, 'model.safetensors')),
      ),
    ).toBe(true);
  });

  it('downloads the index and exactly the shards it lists', async () => {
    const source = copyConfig('tiny-random-llama');
    const tensors = fixtureTensors('tiny-random-llama');
    const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    writeSafetensors(path.join(source, shards[0] as string), tensors.slice(0, 8));
    writeSafetensors(path.join(source, shards[1] as string), tensors.slice(8));
    const weightMap = Object.fromEntries(tensors.map((t, i) => [t.name, shards[i < 8 ? 0 : 1]]));
    writeFileSync(
      path.join(source, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: weightMap }),
    );
    // A stray safetensors file not in the index must not be fetched.
    writeSafetensors(path.join(source, 'consolidated.safetensors'), tensors.slice(0, 1));
    hub.addModel('test/sharded-llama', source);

    const dir = await downloadModel('test/sharded-llama', { cacheDir });
    expect(existsSync(path.join(dir, 'consolidated.safetensors'))).toBe(false);
    const model = await loadModel(dir);
    expect(model.parameters).toBe(158_016);
    rmSync(source, { recursive: true, force: true });
  });

  it('sends HF_TOKEN as a bearer token, and says what to do without it', async () => {
    hub.requiredToken = 'hf_secret';
    const denied = await rejection(downloadModel('karpathy/stories260k', { cacheDir }));
    expect(denied).toBeInstanceOf(HubError);
    expect(denied.message).toMatch(/^karpathy\/stories260k: access denied \(HTTP 401\); .* set HF_TOKEN/);
    process.env.HF_TOKEN = 'hf_secret';
    await downloadModel('karpathy/stories260k', { cacheDir });
    expect(hub.requests.at(-1)?.authorization).toBe('Bearer hf_secret');
  });

  it('rejects repos without safetensors weights or config, and malformed ids', async () => {
    const source = copyConfig('stories260k');
    writeFileSync(path.join(source, 'pytorch_model.bin'), 'x');
    hub.addModel('test/bin-only', source);
    expect((await rejection(downloadModel('test/bin-only', { cacheDir }))).message).toBe(
      'test/bin-only: has no model.safetensors or model.safetensors.index.json (it has PyTorch .bin weights only, which are not supported)',
    );
    expect((await rejection(downloadModel('../etc', { cacheDir }))).message).toMatch(/is not a Hub repo id/);
  });
});

describe('Hub errors', () => {
  it('a missing file is a 404 naming the repo and the file', async () => {
    const error = await rejection(
      downloadRepoFile({ kind: 'model', id: 'karpathy/stories260k' }, 'missing.json', cacheDir),
    );
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toBe(
      `karpathy/stories260k (missing.json): not found on ${hub.endpoint} (check the file name and revision)`,
    );
    expect((error as HubError).status).toBe(404);
  });

  it('a missing repo is a 404 naming the repo', async () => {
    const error = await rejection(listRepoFiles({ kind: 'model', id: 'nobody/nothing' }));
    expect(error.message).toBe(`nobody/nothing: not found on ${hub.endpoint} (check the repo id)`);
  });

  it('an unreachable endpoint gives up with a message (after retries)', async () => {
    const gone = await startFakeHub();
    await gone.close();
    process.env.HF_ENDPOINT = gone.endpoint;
    const error = await rejection(
      downloadRepoFile({ kind: 'model', id: 'karpathy/stories260k' }, 'config.json', cacheDir),
    );
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toMatch(
      /^karpathy\/stories260k \(config.json\): download failed 5 times \(last: cannot reach 127.0.0.1:\d+/,
    );
  });
});

describe('dataset repos', () => {
  it('lists and downloads a file of a dataset repo under /datasets/', async () => {
    const source = path.resolve(MODELS_DIR, '../datasets/sst2');
    hub.addDataset('stanfordnlp/sst2', source);
    const files = await listRepoFiles({ kind: 'dataset', id: 'stanfordnlp/sst2' });
    expect(files.map((file) => file.path).sort()).toEqual([
      'README.md',
      'dataset.json',
      'train.jsonl',
      'validation.jsonl',
    ]);
    const local = await downloadRepoFile(
      { kind: 'dataset', id: 'stanfordnlp/sst2' },
      files.find((f) => f.path === 'train.jsonl') ?? 'train.jsonl',
      cacheDir,
    );
    expect(local).toBe(path.join(cacheDir, 'datasets--stanfordnlp--sst2', 'main', 'train.jsonl'));
    expect(readFileSync(local).equals(readFileSync(path.join(source, 'train.jsonl')))).toBe(true);
    expect(hub.requests.at(-1)?.url).toBe('/datasets/stanfordnlp/sst2/resolve/main/train.jsonl');
  });
});

describe('downloadDatasetParquet', () => {
  it('lists and downloads the parquet files of a split', async () => {
    const rows = readFileSync(path.resolve(MODELS_DIR, '../datasets/sst2/validation.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 20)
      .map((line) => JSON.parse(line) as { text: string; label: number });
    const parquet = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'sentence', data: rows.map((row) => row.text), type: 'STRING' },
          { name: 'label', data: rows.map((row) => row.label), type: 'INT32' },
        ],
      }),
    );
    hub.addParquet('stanfordnlp/sst2', 'default', 'validation', [parquet]);
    hub.dropAfter('default/validation/0.parquet', 100);
    const files = await downloadDatasetParquet('stanfordnlp/sst2', {
      cacheDir,
      subset: 'default',
      split: 'validation',
    });
    expect(files).toEqual([
      path.join(
        cacheDir,
        'datasets--stanfordnlp--sst2',
        'refs--convert--parquet',
        'default',
        'validation',
        '0.parquet',
      ),
    ]);
    const local = readFileSync(files[0] as string);
    expect(local.equals(Buffer.from(parquet))).toBe(true);
    const read = await parquetReadObjects({
      file: local.buffer.slice(local.byteOffset, local.byteOffset + local.byteLength),
    });
    expect(read.map((row) => row.sentence)).toEqual(rows.map((row) => row.text));
  });

  it('an unknown split is a clear 404', async () => {
    const error = await rejection(
      downloadDatasetParquet('stanfordnlp/sst2', { cacheDir, subset: 'default', split: 'nope' }),
    );
    expect(error.message).toBe(
      `stanfordnlp/sst2: not found on ${hub.endpoint} (check the dataset id, subset "default" and split "nope")`,
    );
  });
});
