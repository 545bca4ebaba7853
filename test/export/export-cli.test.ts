// `zo-studio export` through the real CLI, for a run recorded in a real database with a real checkpoint:
// each format is written, recorded as an artifact, and the adapter re-imports to the checkpoint's tensors.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Params } from '../../core/estimators/types.ts';
import { loadModel } from '../../core/models/load.ts';
import { importPeftAdapter } from '../../core/peft/adapter-import.ts';
import { planPeft } from '../../core/peft/plan.ts';
import { checkpointDir } from '../../core/store/paths.ts';
import { RunStore } from '../../core/store/run-store.ts';
import { configHash, writeCheckpoint } from '../../core/train/checkpoint.ts';
import { parseRunConfig } from '../../core/train/config.ts';
import { MODELS, trainedParams } from './helpers.ts';

const cli = resolve(import.meta.dirname, '../../bin/zo-studio.js');
const model = join(MODELS, 'stories260k');
const train = resolve(MODELS, '../datasets/sst2/train.jsonl');
let dir: string;
let db: string;
let loraParams: Params;

async function zo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args, '--db', db]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Records a run as the training manager does (validated config) with one checkpoint at step 40. */
function recordRun(store: RunStore, id: string, peft: Record<string, unknown>): void {
  const config = parseRunConfig(
    { model, data: { train, task: 'sst2' }, lr: 1e-3, budget: { steps: 40 }, peft },
    'test',
  );
  store.createRun({
    id,
    name: id,
    modelDir: model,
    dataset: train,
    task: 'sst2',
    peft: config.peft.mode,
    estimator: 'mezo',
    config,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zo-export-cli-'));
  db = join(dir, 'runs.sqlite');
  const store = RunStore.open(db);
  const loaded = await loadModel(model);
  const checkpoint = (id: string, params: Params) => {
    const written = writeCheckpoint(checkpointDir(db, id), {
      step: 40,
      forwardPasses: 80,
      params,
      estimatorState: {},
      optimizerState: {},
      rng: 0,
      dataPosition: 0,
      configHash: configHash(id),
      extra: {},
    });
    store.addCheckpoint(id, { step: 40, path: written.path, bytes: written.bytes });
  };
  recordRun(store, 'lora-run', { mode: 'lora', rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'] });
  loraParams = trainedParams(
    planPeft(loaded, { kind: 'lora', rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'] }),
    11,
  );
  checkpoint('lora-run', loraParams);
  recordRun(store, 'prefix-run', { mode: 'prefix', tokens: 3 });
  checkpoint('prefix-run', trainedParams(planPeft(loaded, { kind: 'prefix', tokens: 3 }), 12));
  recordRun(store, 'fresh-run', { mode: 'lora' });
  store.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('zo-studio export', () => {
  it('writes a PEFT adapter that re-imports to the checkpoint tensors, and records it', async () => {
    const out = join(dir, 'adapter');
    const result = await zo([
      'export',
      'lora-run',
      '--format',
      'peft',
      '--out',
      out,
      '--base-model',
      'karpathy/stories260K',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({
      runId: 'lora-run',
      format: 'peft',
      step: 40,
      outDir: out,
    });
    expect(readdirSync(out).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const imported = importPeftAdapter(out, await loadModel(model));
    expect(imported.baseModel).toBe('karpathy/stories260K');
    expect(imported.params.map((p) => [p.name, [...p.data]])).toEqual(
      loraParams.map((p) => [p.name, [...p.data]]),
    );
    const store = RunStore.open(db);
    expect(store.listArtifacts('lora-run').map((a) => [a.format, a.path])).toEqual([['peft', out]]);
    store.close();
  });

  it('writes merged HF and ONNX folders', async () => {
    const merged = await zo(['export', 'lora-run', '--format', 'merged', '--out', join(dir, 'merged')]);
    expect(merged.stdout).toMatch(/exported run lora-run \(step 40\) as merged to .*merged \(\d+\.\d KiB\)/);
    expect(existsSync(join(dir, 'merged', 'model.safetensors'))).toBe(true);
    expect(existsSync(join(dir, 'merged', 'tokenizer.json'))).toBe(true);
    const onnx = await zo(['export', 'lora-run', '--format', 'onnx', '--out', join(dir, 'onnx')]);
    expect(onnx.code).toBe(0);
    expect(readdirSync(join(dir, 'onnx'))).toEqual(
      expect.arrayContaining(['model.onnx', 'weights.bin', 'config.json']),
    );
  });

  it('explains what cannot be exported', async () => {
    const prefixMerged = await zo(['export', 'prefix-run', '--format', 'merged', '--out', join(dir, 'pm')]);
    expect(prefixMerged.code).toBe(1);
    expect(prefixMerged.stderr).toMatch(/prefix-tuning run .* cannot be merged/);
    const fresh = await zo(['export', 'fresh-run', '--format', 'peft', '--out', join(dir, 'f')]);
    expect(fresh.stderr).toMatch(
      /run fresh-run has no checkpoint yet \(status created\); train or resume it first/,
    );
    mkdirSync(join(dir, 'busy'));
    writeFileSync(join(dir, 'busy', 'keep.txt'), 'mine');
    const busy = await zo(['export', 'lora-run', '--format', 'peft', '--out', join(dir, 'busy')]);
    expect(busy.stderr).toMatch(/busy is not empty; choose a new folder or allow overwriting \(--force\)/);
    const usage = await zo(['export', 'lora-run', '--format', 'gguf', '--out', join(dir, 'g')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--format must be one of: peft, merged, onnx/);
  });
});
