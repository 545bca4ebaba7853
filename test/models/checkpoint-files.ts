// Helpers that build real (and deliberately broken) model folders in temp dirs for the loader tests.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { readSafetensorsHeader, SafetensorsWeights } from '../../core/models/safetensors/read.ts';
import { writeSafetensors, type TensorToWrite } from '../../core/models/safetensors/write.ts';

export const MODELS_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures/models');
export const FIXTURE_MODELS = [
  'stories260k',
  'tiny-random-gpt2',
  'tiny-random-llama',
  'tiny-random-opt',
  'tiny-random-qwen2',
] as const;

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir removed after the current test. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zo-models-'));
  tempDirs.push(dir);
  return dir;
}

/**
 * Hand-assembles safetensors bytes from a header object and a data section, without any validation,
 * so tests can produce files the writer would refuse to make.
 */
export function rawSafetensors(header: Record<string, unknown>, data: Uint8Array | number): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.byteLength));
  const body = typeof data === 'number' ? Buffer.alloc(data) : Buffer.from(data);
  return Buffer.concat([length, json, body]);
}

/** Writes a fixture's config.json (optionally edited) into `dir`, a fresh temp dir by default. */
export function copyConfig(
  model: string,
  edit?: (config: Record<string, unknown>) => void,
  dir = tempDir(),
): string {
  const config = JSON.parse(readFileSync(path.join(MODELS_DIR, model, 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  edit?.(config);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/** A temp copy of a fixture folder's config.json and model.safetensors, untouched. */
export function copyModel(model: string): string {
  const dir = copyConfig(model);
  copyFileSync(path.join(MODELS_DIR, model, 'model.safetensors'), path.join(dir, 'model.safetensors'));
  return dir;
}

/** The fixture's tensors as writer input (raw bytes, stored dtype). */
export function fixtureTensors(model: string): TensorToWrite[] {
  const weights = new SafetensorsWeights([
    readSafetensorsHeader(path.join(MODELS_DIR, model, 'model.safetensors')),
  ]);
  return [...weights.tensors.values()].map((info) => ({
    name: info.name,
    dtype: info.dtype,
    shape: info.shape,
    data: weights.readRaw(info.name),
  }));
}

/**
 * A temp model folder with the fixture's config and its tensors rewritten through `edit` (rename, drop,
 * reshape), written as one model.safetensors.
 */
export function rewriteModel(model: string, edit: (tensors: TensorToWrite[]) => TensorToWrite[]): string {
  const dir = copyConfig(model);
  writeSafetensors(path.join(dir, 'model.safetensors'), edit(fixtureTensors(model)));
  return dir;
}
