// The end-to-end check: a real run (stories260k, LoRA, MeZO on the Sherlock Holmes fixture,
// through TrainingManager and its worker) trains and records its history; `exportRun` writes it as a
// PEFT adapter, a merged HF folder and a merged ONNX model; each, evaluated on the run's validation
// examples by the same evaluate() the loop uses, gives the run's final validation loss to 1e-5.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../core/export/run-export.ts';
import { evaluate } from '../../core/eval/evaluate.ts';
import { loadModel } from '../../core/models/load.ts';
import { loadTokenizer, type Tokenizer } from '../../core/models/tokenizer.ts';
import type { LoadedModel } from '../../core/models/types.ts';
import { importPeftAdapter } from '../../core/peft/adapter-import.ts';
import type { PeftConfig } from '../../core/peft/plan.ts';
import { int64Tensor, Session } from '../../core/runtime/backend.ts';
import { Engine, type Batch } from '../../core/runtime/engine.ts';
import { parseRunConfig, type RunConfig } from '../../core/train/config.ts';
import { TrainingManager } from '../../core/train/manager.ts';
import { loadTrainingData, type TrainingData } from '../../core/train/training-data.ts';
import { sherlockConfig, tempHistory, type TempHistory } from '../train/helpers.ts';

let history: TempHistory;
let out: string;
let runId: string;
let finalValLoss: number;
let config: RunConfig;
let tokenizer: Tokenizer;
let data: TrainingData;

beforeAll(async () => {
  history = tempHistory();
  out = mkdtempSync(join(tmpdir(), 'zo-run-export-'));
  const manager = new TrainingManager({ store: history.store });
  try {
    runId = manager.start(sherlockConfig({ budget: { steps: 20 }, eval: { everySteps: 20, rows: 16 } }));
    const summary = await manager.waitForEnd(runId);
    expect(summary.status).toBe('completed');
    finalValLoss = summary.metrics.val_loss_final as number;
    // Training must have moved the adapter, or "same loss as the run" would hold for the base model too.
    expect(Math.abs(finalValLoss - (summary.metrics.val_loss_initial as number))).toBeGreaterThan(1e-3);
  } finally {
    await manager.shutdown();
  }
  config = parseRunConfig(history.store.requireRun(runId).config, 'stored run');
  tokenizer = await loadTokenizer(config.model);
  data = await loadTrainingData(config.data, tokenizer, config.eval.rows);
});
afterAll(() => {
  history.dispose();
  rmSync(out, { recursive: true, force: true });
});

/** Validation loss exactly as the training loop computes it, with any forward implementation. */
async function validationLoss(
  engine: Pick<Engine, 'forward'>,
  params: readonly Float32Array[],
): Promise<number> {
  const result = await evaluate({
    engine,
    params,
    tokenizer,
    task: data.task,
    examples: data.validation,
    maxLength: config.data.maxLength,
    batchSize: config.batchSize,
  });
  return result.loss;
}

async function engineLoss(
  model: LoadedModel,
  peft: PeftConfig,
  params: readonly Float32Array[],
): Promise<number> {
  const engine = await Engine.create(model, { peft, threads: 1 });
  try {
    return await validationLoss(engine, params);
  } finally {
    await engine.dispose();
  }
}

describe('a trained run, exported and evaluated again', () => {
  it('PEFT adapter, re-imported onto the base model: the final validation loss to 1e-5', async () => {
    const exported = await exportRun(history.store, { runId, format: 'peft', outDir: join(out, 'adapter') });
    expect(exported.step).toBe(20);
    const model = await loadModel(config.model);
    const adapter = importPeftAdapter(exported.outDir, model);
    const loss = await engineLoss(
      model,
      adapter.peft,
      adapter.params.map((p) => p.data),
    );
    expect(Math.abs(loss - finalValLoss)).toBeLessThanOrEqual(1e-5);
  });

  it('merged HF folder, loaded as a plain model: the same loss', async () => {
    const exported = await exportRun(history.store, { runId, format: 'merged', outDir: join(out, 'merged') });
    const loss = await engineLoss(await loadModel(exported.outDir), { kind: 'none' }, []);
    expect(Math.abs(loss - finalValLoss)).toBeLessThanOrEqual(1e-5);
  });

  it('merged ONNX model, run directly in ONNX Runtime: the same loss', async () => {
    const exported = await exportRun(history.store, { runId, format: 'onnx', outDir: join(out, 'onnx') });
    const session = await Session.open(join(exported.outDir, 'model.onnx'), { ep: 'cpu', threads: 1 });
    try {
      // The exported graph's own inputs and outputs, nothing from the engine: input_ids, attention_mask, labels → loss.
      const onnx = {
        async forward(batch: Batch) {
          const dims = [batch.batch, batch.seqLen];
          const feeds = {
            input_ids: int64Tensor(batch.inputIds, dims),
            attention_mask: int64Tensor(batch.attentionMask, dims),
            labels: int64Tensor(batch.labels, dims),
          };
          return { loss: (await session.run(feeds, ['loss'])).loss! };
        },
      };
      const loss = await validationLoss(onnx, []);
      expect(Math.abs(loss - finalValLoss)).toBeLessThanOrEqual(1e-5);
    } finally {
      await session.dispose();
    }
    expect(history.store.listArtifacts(runId).map((a) => a.format)).toEqual(['peft', 'merged', 'onnx']);
  });
});
