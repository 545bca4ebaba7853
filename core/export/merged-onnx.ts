// Writes a model with merged weights as an ONNX model for inference and scoring, built by the same
// graph builder that trains (core/graph), with no trainable inputs: the merged weights are initializers.
//   inputs   input_ids, attention_mask, labels   int64 [batch, seq]  (labels −100 = not scored)
//   outputs  loss [batch]          per-example mean cross-entropy of the labelled next tokens
//            last_logits [batch, vocab]   logits at each row's last real token (next-token prediction)
// Files: model.onnx + weights.bin (ONNX external data), and the tokenizer/config files for convenience.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeGraph, WEIGHTS_FILE } from '../graph/onnx/write-model.ts';
import { buildTrainingGraph } from '../graph/training-graph.ts';
import type { LoadedModel } from '../models/types.ts';
import { copyModelFiles } from './model-files.ts';

export function writeMergedOnnx(outDir: string, merged: LoadedModel): { files: string[]; bytes: number } {
  mkdirSync(outDir, { recursive: true });
  // Unfused (standard ONNX ops only), so any ONNX runtime and execution provider can load it.
  const { graph } = buildTrainingGraph(merged, {
    peft: { kind: 'none' },
    outputs: { lastLogits: true },
    fused: false,
  });
  const modelPath = writeGraph(graph, outDir, 'zo-studio-merged');
  const files = [modelPath, join(outDir, WEIGHTS_FILE), ...copyModelFiles(merged.dir, outDir)];
  return { files, bytes: files.reduce((total, file) => total + statSync(file).size, 0) };
}
