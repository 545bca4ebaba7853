// Writes a model with merged weights as a Hugging Face folder that transformers loads like any other:
// config.json (and generation_config.json) and tokenizer files copied from the base model folder, and
// one model.safetensors with every tensor under its original name and in its original dtype. Merged
// tensors come from the overlay (merge.ts); the rest are copied byte for byte, one tensor at a time.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedModel } from '../models/types.ts';
import { writeSafetensors } from '../models/safetensors/write.ts';
import { copyModelFiles } from './model-files.ts';

export const MERGED_WEIGHTS_FILE = 'model.safetensors';

export function writeMergedHf(outDir: string, merged: LoadedModel): { files: string[]; bytes: number } {
  mkdirSync(outDir, { recursive: true });
  const files = copyModelFiles(merged.dir, outDir);
  const tensors = [...merged.weights.tensors.values()].map((info) => ({
    name: info.name,
    dtype: info.dtype,
    shape: info.shape,
    data: () => merged.weights.readRaw(info.name),
  }));
  const weightsPath = join(outDir, MERGED_WEIGHTS_FILE);
  const bytes = writeSafetensors(weightsPath, tensors, { format: 'pt' });
  files.push(weightsPath);
  return { files, bytes };
}
