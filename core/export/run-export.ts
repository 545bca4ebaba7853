// Exports a recorded run: reads its config and newest checkpoint from the run history, loads the base
// model, writes the requested format and records the result as an artifact of the run.
//   peft    PEFT adapter folder (LoRA or prefix runs)
//   merged  HF model folder with the trained weights merged in (LoRA or full runs)
//   onnx    ONNX model with the merged weights (LoRA or full runs)
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadModel } from '../models/load.ts';
import { planPeft } from '../peft/plan.ts';
import type { RunStore } from '../store/run-store.ts';
import { loadCheckpointWithFallback } from '../train/checkpoint.ts';
import { parseRunConfig } from '../train/config.ts';
import { peftPlanConfig } from '../train/peft-settings.ts';
import { mergedWeights, withWeights } from './merge.ts';
import { writeMergedHf } from './merged-hf.ts';
import { writeMergedOnnx } from './merged-onnx.ts';
import { writePeftAdapter } from './peft-adapter.ts';

export const EXPORT_FORMATS = ['peft', 'merged', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface RunExportRequest {
  runId: string;
  format: ExportFormat;
  outDir: string;
  /** Write into a folder that already has files (they may be overwritten). */
  overwrite?: boolean;
  /** base_model_name_or_path for PEFT adapters (default: the run's model folder). */
  baseModel?: string;
}

export interface RunExportResult {
  format: ExportFormat;
  outDir: string;
  files: string[];
  bytes: number;
  /** The training step whose checkpoint was exported. */
  step: number;
  notes: string[];
}

export async function exportRun(store: RunStore, request: RunExportRequest): Promise<RunExportResult> {
  const { runId, format } = request;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new Error(`export: format "${String(format)}" is not one of: ${EXPORT_FORMATS.join(', ')}`);
  }
  const outDir = resolve(request.outDir);
  if (!request.overwrite && existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new Error(`export: ${outDir} is not empty; choose a new folder or allow overwriting (--force)`);
  }
  const run = store.requireRun(runId);
  const config = parseRunConfig(run.config, `run ${runId} config`);
  const latest = store.latestCheckpoint(runId);
  if (!latest) {
    throw new Error(
      `export: run ${runId} has no checkpoint yet (status ${run.status}); train or resume it first`,
    );
  }
  const { checkpoint, path, skipped } = loadCheckpointWithFallback(latest.path);
  const notes = skipped.map((s) => `skipped damaged checkpoint: ${s.reason}`);
  if (path !== latest.path) notes.push(`exported the older checkpoint ${path} (step ${checkpoint.step})`);

  const model = await loadModel(config.model);
  const plan = planPeft(model, peftPlanConfig(config));
  const written =
    format === 'peft'
      ? writePeftAdapter(outDir, {
          model,
          plan,
          params: checkpoint.params,
          // An absolute folder: the adapter is loaded from wherever the user moves it, not from the cwd.
          baseModel: request.baseModel ?? resolve(config.model),
        })
      : format === 'merged'
        ? writeMergedHf(outDir, withWeights(model, mergedWeights(model, plan, checkpoint.params)))
        : writeMergedOnnx(outDir, withWeights(model, mergedWeights(model, plan, checkpoint.params)));
  store.addArtifact(runId, { format, path: outDir, bytes: written.bytes });
  return { format, outDir, files: written.files, bytes: written.bytes, step: checkpoint.step, notes };
}
