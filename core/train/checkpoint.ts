// Training checkpoints: everything a run needs to continue on the same trajectory, in ONE safetensors
// file per step (`checkpoint-00000100.safetensors`), replaced atomically (checkpoint-atomic.ts):
//   tensors   params/<name>        the trainable tensors (PEFT keys), fp32, bit-exact
//             estimator/<i>, optimizer/<i>, rng/<i>, data/<i>   Float32Arrays taken out of the state
//   metadata  format               "zo-studio-checkpoint/1"
//             state                JSON: step, forward passes, param order, encoded states, config hash
//             data_sha256          SHA-256 of the data section: a truncated or bit-rotted file is caught
// One file (not a folder of files) so a single rename publishes a complete checkpoint. Loading falls back
// to the newest older checkpoint that verifies when the requested one is damaged.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ParamTensor, Params } from '../estimators/types.ts';
import { readSafetensorsHeader } from '../models/safetensors/read.ts';
import { toFloat32 } from '../models/safetensors/dtypes.ts';
import { safetensorsHeader, tensorBytes, writeSafetensors } from '../models/safetensors/write.ts';
import type { TensorToWrite } from '../models/safetensors/write.ts';
import { replaceFileAtomically } from './checkpoint-atomic.ts';
import { decodeState, encodeState } from './checkpoint-state.ts';

export const CHECKPOINT_FORMAT = 'zo-studio-checkpoint/1';
const FILE_PATTERN = /^checkpoint-(\d+)\.safetensors$/;

export interface TrainingCheckpoint {
  step: number;
  forwardPasses: number;
  /** The trainable tensors in their training order (the order is part of the random-direction contract). */
  params: Params;
  estimatorState: unknown;
  optimizerState: unknown;
  /** RNG position (plain data; BigInt words allowed). */
  rng: unknown;
  /** Where the data order stands (epoch, permutation seed, index). */
  dataPosition: unknown;
  /** configHash(run config): a resume with another config is a fork, not a resume. */
  configHash: string;
  /** Anything else the loop needs to continue identically (early-stopping counters, elapsed time). */
  extra: Record<string, unknown>;
}

export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`checkpoint ${path}: ${message}`, options);
    this.name = 'CheckpointError';
  }
}

export interface CheckpointFile {
  step: number;
  path: string;
}

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `checkpoint-${String(step).padStart(8, '0')}.safetensors`);
}

/** The checkpoint files in `dir`, oldest first (temp files of interrupted writes are not listed). */
export function listCheckpointFiles(dir: string): CheckpointFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const match = FILE_PATTERN.exec(name);
      return match ? [{ step: Number(match[1]), path: join(dir, name) }] : [];
    })
    .sort((a, b) => a.step - b.step);
}

/** Stable hash of a run config: key order does not matter, values do. */
export function configHash(config: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(config)))
    .digest('hex');
}

export interface WrittenCheckpoint {
  path: string;
  bytes: number;
  /** Older checkpoints deleted to keep the newest `keep` (their history rows should go too). */
  removed: CheckpointFile[];
}

/** Writes the checkpoint for `checkpoint.step` atomically, then keeps only the newest `keep` files. */
export function writeCheckpoint(
  dir: string,
  checkpoint: TrainingCheckpoint,
  keep = Infinity,
): WrittenCheckpoint {
  const path = checkpointPath(dir, checkpoint.step);
  const estimator = encodeState(checkpoint.estimatorState, 'estimator/', 'estimatorState');
  const optimizer = encodeState(checkpoint.optimizerState, 'optimizer/', 'optimizerState');
  const rng = encodeState(checkpoint.rng, 'rng/', 'rng');
  const data = encodeState(checkpoint.dataPosition, 'data/', 'dataPosition');
  const extra = encodeState(checkpoint.extra, 'extra/', 'extra');
  const tensors: TensorToWrite[] = [
    ...checkpoint.params.map((param) => ({
      name: `params/${param.name}`,
      dtype: 'float32' as const,
      shape: param.shape,
      data: param.data,
    })),
    ...[estimator, optimizer, rng, data, extra].flatMap((encoded) =>
      encoded.arrays.map(({ name, data: values }) => ({
        name,
        dtype: 'float32' as const,
        shape: [values.length],
        data: values,
      })),
    ),
  ];
  const state = {
    step: checkpoint.step,
    forwardPasses: checkpoint.forwardPasses,
    params: checkpoint.params.map((param) => ({ name: param.name, shape: [...param.shape] })),
    estimatorState: estimator.json,
    optimizerState: optimizer.json,
    rng: rng.json,
    dataPosition: data.json,
    configHash: checkpoint.configHash,
    extra: extra.json,
  };
  // The data section does not depend on the metadata, so its hash can go into the header it follows.
  const hash = createHash('sha256');
  for (const tensor of safetensorsHeader(tensors).order) hash.update(tensorBytes(tensor));
  const metadata = {
    format: CHECKPOINT_FORMAT,
    state: JSON.stringify(state),
    data_sha256: hash.digest('hex'),
  };

  let bytes = 0;
  try {
    mkdirSync(dir, { recursive: true });
    removeStaleTempFiles(dir);
    replaceFileAtomically(path, (tempPath) => {
      bytes = writeSafetensors(tempPath, tensors, metadata, { fsync: true });
    });
  } catch (error) {
    throw writeFailure(dir, path, checkpoint.step, error);
  }
  const files = listCheckpointFiles(dir);
  const removed = files.slice(0, Math.max(0, files.length - keep));
  for (const file of removed) rmSync(file.path, { force: true });
  return { path, bytes, removed };
}

/** Reads and verifies one checkpoint file; throws CheckpointError saying what is wrong with it. */
export function readCheckpoint(path: string): TrainingCheckpoint {
  if (!existsSync(path))
    throw new CheckpointError(path, 'the file does not exist (deleted, or pruned as an old checkpoint)');
  let header;
  try {
    header = readSafetensorsHeader(path);
  } catch (error) {
    throw new CheckpointError(path, `unreadable, probably truncated: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const { metadata } = header;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      path,
      `not a ZO Studio checkpoint (format ${JSON.stringify(metadata.format)}, expected ${CHECKPOINT_FORMAT})`,
    );
  }
  const file = readFileSync(path);
  const dataStart = 8 + Number(file.readBigUInt64LE(0));
  const actualHash = createHash('sha256').update(file.subarray(dataStart)).digest('hex');
  if (actualHash !== metadata.data_sha256) {
    throw new CheckpointError(
      path,
      'the tensor data does not match its recorded SHA-256: the file is corrupt or was truncated',
    );
  }
  const tensors = new Map<string, Float32Array>();
  for (const tensor of header.tensors) {
    // Copy out of the file buffer: the caller mutates params in place, and they must not alias each other.
    tensors.set(tensor.name, toFloat32(file.subarray(tensor.begin, tensor.end).slice(), tensor.dtype));
  }
  try {
    const state = JSON.parse(metadata.state ?? '') as {
      step: number;
      forwardPasses: number;
      params: { name: string; shape: number[] }[];
      estimatorState: unknown;
      optimizerState: unknown;
      rng: unknown;
      dataPosition: unknown;
      configHash: string;
      extra: unknown;
    };
    const params: ParamTensor[] = state.params.map(({ name, shape }) => {
      const data = tensors.get(`params/${name}`);
      if (!data) throw new Error(`parameter "${name}" is listed but its tensor is missing`);
      return { name, shape, data };
    });
    return {
      step: state.step,
      forwardPasses: state.forwardPasses,
      params,
      estimatorState: decodeState(state.estimatorState, tensors, 'estimatorState'),
      optimizerState: decodeState(state.optimizerState, tensors, 'optimizerState'),
      rng: decodeState(state.rng, tensors, 'rng'),
      dataPosition: decodeState(state.dataPosition, tensors, 'dataPosition'),
      configHash: state.configHash,
      extra: decodeState(state.extra, tensors, 'extra') as Record<string, unknown>,
    };
  } catch (error) {
    throw new CheckpointError(path, `its state record is invalid: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export interface LoadedCheckpoint {
  checkpoint: TrainingCheckpoint;
  path: string;
  /** Newer checkpoints that failed verification and were passed over, with the reason. */
  skipped: { path: string; reason: string }[];
}

/**
 * Loads `path`, or — when it is damaged or missing — the newest older checkpoint in the same folder
 * that verifies. Throws when none does, listing why each was rejected.
 */
export function loadCheckpointWithFallback(path: string): LoadedCheckpoint {
  const requested = FILE_PATTERN.exec(basename(path));
  const older = requested
    ? listCheckpointFiles(dirname(path))
        .filter((file) => file.step < Number(requested[1]))
        .reverse()
        .map((file) => file.path)
    : [];
  const skipped: LoadedCheckpoint['skipped'] = [];
  for (const candidate of [path, ...older]) {
    try {
      return { checkpoint: readCheckpoint(candidate), path: candidate, skipped };
    } catch (error) {
      skipped.push({ path: candidate, reason: (error as Error).message });
    }
  }
  throw new CheckpointError(
    path,
    `no usable checkpoint:\n${skipped.map((s) => `  - ${s.reason}`).join('\n')}`,
  );
}

function removeStaleTempFiles(dir: string): void {
  // Left by a process killed mid-write; only one trainer writes a run's folder at a time.
  for (const name of readdirSync(dir)) {
    if (/^\.checkpoint-\d+\.safetensors\.tmp-/.test(name)) rmSync(join(dir, name), { force: true });
  }
}

function writeFailure(dir: string, path: string, step: number, error: unknown): CheckpointError {
  const code = (error as { code?: unknown }).code;
  const previous = listCheckpointFiles(dir)
    .filter((file) => file.path !== path)
    .at(-1);
  const kept = previous
    ? `The previous checkpoint (step ${previous.step}, ${previous.path}) is intact.`
    : 'No earlier checkpoint exists.';
  const reason =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? `the disk is full (${code}); free some space in ${dir}, then resume the run`
      : `${(error as Error).message}`;
  return new CheckpointError(path, `could not write the checkpoint for step ${step}: ${reason}. ${kept}`, {
    cause: error,
  });
}
