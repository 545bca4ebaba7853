// Reader for the safetensors format: 8-byte little-endian header length N, N bytes of JSON header
// ({name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}), then the data section. Only the
// header is read up front; tensors are read on demand by byte range, so multi-GB files are never slurped.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ModelLoadError } from '../errors.ts';
import type { TensorInfo, WeightSource } from '../types.ts';
import { DTYPE_BYTES, SUPPORTED_DTYPES, toFloat32 } from './dtypes.ts';

/** The reference implementation refuses headers above 100 MB; a larger value means a corrupt file. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsHeader {
  file: string;
  tensors: TensorInfo[];
  metadata: Record<string, string>;
}

/** Reads exactly `length` bytes at `position` into `target`, or throws naming the file. */
function readExactly(fd: number, file: string, target: Uint8Array, position: number, what: string): void {
  let done = 0;
  while (done < target.byteLength) {
    const got = readSync(fd, target, done, target.byteLength - done, position + done);
    if (got === 0) {
      throw new ModelLoadError(
        file,
        `file ends before ${what} (wanted ${target.byteLength} bytes at ${position})`,
      );
    }
    done += got;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Parses and validates one header entry; `dataStart` turns relative offsets into absolute ones. */
function parseEntry(
  file: string,
  name: string,
  entry: unknown,
  dataStart: number,
  dataBytes: number,
): TensorInfo {
  const where = `tensor "${name}"`;
  if (!isObject(entry)) throw new ModelLoadError(file, `${where}: header entry is not an object`);
  const { dtype: code, shape, data_offsets: offsets } = entry;
  const dtype = typeof code === 'string' ? SUPPORTED_DTYPES[code] : undefined;
  if (!dtype) {
    const supported = Object.keys(SUPPORTED_DTYPES).join(', ');
    throw new ModelLoadError(
      file,
      `${where}: dtype ${JSON.stringify(code)} is not supported; supported: ${supported}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new ModelLoadError(
      file,
      `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new ModelLoadError(file, `${where}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataBytes) {
    throw new ModelLoadError(
      file,
      `${where}: data_offsets [${begin}, ${end}] fall outside the data section (${dataBytes} bytes); the file may be truncated`,
    );
  }
  const numel = shape.reduce((product: number, size: number) => product * size, 1);
  const expectedBytes = numel * DTYPE_BYTES[dtype];
  if (end - begin !== expectedBytes) {
    throw new ModelLoadError(
      file,
      `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${shape.join(', ')}] of ${code} needs ${expectedBytes}`,
    );
  }
  return { name, dtype, shape: [...shape], file, begin: dataStart + begin, end: dataStart + end };
}

/** Rejects tensors whose byte ranges overlap (a corrupt or malicious header). */
function checkNoOverlap(file: string, tensors: TensorInfo[]): void {
  const sorted = tensors.filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as TensorInfo;
    const current = sorted[i] as TensorInfo;
    if (current.begin < previous.end) {
      throw new ModelLoadError(
        file,
        `tensors "${previous.name}" and "${current.name}" overlap in the data section`,
      );
    }
  }
}

/** Reads and validates the header of one .safetensors file (the data section is not read). */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new ModelLoadError(file, `cannot open: ${(error as Error).message}`, { cause: error });
  }
  try {
    const fileBytes = fstatSync(fd).size;
    if (fileBytes < 8) {
      throw new ModelLoadError(file, `file is ${fileBytes} bytes, too short for a safetensors header`);
    }
    const lengthBytes = new Uint8Array(8);
    readExactly(fd, file, lengthBytes, 0, 'the header length');
    const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
    if (headerLength === 0n || headerLength > BigInt(Math.min(MAX_HEADER_BYTES, fileBytes - 8))) {
      throw new ModelLoadError(
        file,
        `header length ${headerLength} is impossible for a ${fileBytes}-byte file; this is not a safetensors file or it is truncated`,
      );
    }
    const headerBytes = new Uint8Array(Number(headerLength));
    readExactly(fd, file, headerBytes, 8, 'the end of the header');
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
    } catch (error) {
      throw new ModelLoadError(file, `header is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!isObject(header)) throw new ModelLoadError(file, 'header JSON is not an object');

    const dataStart = 8 + Number(headerLength);
    const dataBytes = fileBytes - dataStart;
    const metadata: Record<string, string> = {};
    const tensors: TensorInfo[] = [];
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') {
        if (!isObject(entry)) throw new ModelLoadError(file, '__metadata__ is not an object');
        for (const [key, value] of Object.entries(entry)) metadata[key] = String(value);
        continue;
      }
      tensors.push(parseEntry(file, name, entry, dataStart, dataBytes));
    }
    checkNoOverlap(file, tensors);
    return { file, tensors, metadata };
  } finally {
    closeSync(fd);
  }
}

/** Lazy access to the tensors of one or more safetensors files (the shards of one checkpoint). */
export class SafetensorsWeights implements WeightSource {
  readonly tensors: ReadonlyMap<string, TensorInfo>;

  constructor(headers: SafetensorsHeader[]) {
    const tensors = new Map<string, TensorInfo>();
    for (const header of headers) {
      for (const tensor of header.tensors) {
        const existing = tensors.get(tensor.name);
        if (existing) {
          throw new ModelLoadError(header.file, `tensor "${tensor.name}" is also stored in ${existing.file}`);
        }
        tensors.set(tensor.name, tensor);
      }
    }
    this.tensors = tensors;
  }

  private info(name: string): TensorInfo {
    const tensor = this.tensors.get(name);
    if (!tensor) throw new Error(`no tensor named "${name}" in this checkpoint`);
    return tensor;
  }

  readRaw(name: string): Uint8Array {
    const tensor = this.info(name);
    const bytes = new Uint8Array(tensor.end - tensor.begin);
    // Opened per read: a checkpoint may have hundreds of tensors across shards, and holding descriptors
    // open would leak them when a model is dropped without an explicit close.
    const fd = openSync(tensor.file, 'r');
    try {
      readExactly(fd, tensor.file, bytes, tensor.begin, `the end of tensor "${name}"`);
    } finally {
      closeSync(fd);
    }
    return bytes;
  }

  readFloat32(name: string): Float32Array {
    return toFloat32(this.readRaw(name), this.info(name).dtype);
  }
}
