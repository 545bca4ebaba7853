// Finds and opens the weights of an HF model folder: one `model.safetensors`, or shards listed by
// `model.safetensors.index.json` (its `weight_map` maps each tensor name to its shard file).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ModelLoadError } from '../errors.ts';
import { readSafetensorsHeader, SafetensorsWeights } from './read.ts';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/** Reads the shard index; returns tensor name → shard file name, checked to stay inside `dir`. */
export function readShardIndex(indexPath: string): Map<string, string> {
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (error) {
    throw new ModelLoadError(indexPath, `cannot read the shard index: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new ModelLoadError(indexPath, 'has no "weight_map" object (tensor name → shard file)');
  }
  const shardOf = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard !== path.basename(shard) || !shard.endsWith('.safetensors')) {
      throw new ModelLoadError(
        indexPath,
        `weight_map["${tensor}"] is ${JSON.stringify(shard)}; expected a .safetensors file name in the same folder`,
      );
    }
    shardOf.set(tensor, shard);
  }
  return shardOf;
}

function openSharded(dir: string, indexPath: string): SafetensorsWeights {
  const shardOf = readShardIndex(indexPath);
  const shards = [...new Set(shardOf.values())];
  for (const shard of shards) {
    if (!existsSync(path.join(dir, shard))) {
      throw new ModelLoadError(indexPath, `lists shard "${shard}", which is missing from ${dir}`);
    }
  }
  const weights = new SafetensorsWeights(shards.map((shard) => readSafetensorsHeader(path.join(dir, shard))));
  for (const [tensor, shard] of shardOf) {
    const stored = weights.tensors.get(tensor);
    if (!stored || path.basename(stored.file) !== shard) {
      throw new ModelLoadError(
        indexPath,
        `says tensor "${tensor}" is in "${shard}", but that shard does not hold it`,
      );
    }
  }
  return weights;
}

/** Opens the checkpoint weights of `dir` (sharded index first, as transformers does). */
export function openCheckpoint(dir: string): SafetensorsWeights {
  const indexPath = path.join(dir, INDEX_FILE);
  if (existsSync(indexPath)) return openSharded(dir, indexPath);
  const singlePath = path.join(dir, SINGLE_FILE);
  if (existsSync(singlePath)) return new SafetensorsWeights([readSafetensorsHeader(singlePath)]);
  const present = readdirSync(dir);
  const hint = present.some((name) => name.endsWith('.bin') || name.endsWith('.pt'))
    ? ' PyTorch .bin checkpoints are not supported; convert them to safetensors first.'
    : '';
  throw new ModelLoadError(dir, `no ${SINGLE_FILE} or ${INDEX_FILE} found.${hint}`);
}
