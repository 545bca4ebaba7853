// Writes the safetensors format (https://github.com/huggingface/safetensors#format):
//   [8-byte little-endian header length N][N bytes of JSON header][tensor data]
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (offsets relative to
// the start of the data section) plus an optional `__metadata__` string→string map. The header is padded
// with spaces so the data section starts 8-byte aligned, and tensors are laid out largest element size
// first (as the reference writer does) so every tensor stays aligned to its own element size.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { DType } from '../types.ts';
import { DTYPE_BYTES as BYTES_PER_ELEMENT, SUPPORTED_DTYPES } from './dtypes.ts';

/** The safetensors dtype tag for each dtype the project handles (the reader's table, inverted). */
const DTYPE_TAG = Object.fromEntries(
  Object.entries(SUPPORTED_DTYPES).map(([tag, dtype]) => [dtype, tag]),
) as Record<DType, string>;

export interface TensorToWrite {
  name: string;
  /** The dtype stored in the file. */
  dtype: DType;
  shape: readonly number[];
  /**
   * float32 values (converted to `dtype` on write) or raw little-endian bytes already in `dtype`; or a
   * function returning either, called only when the tensor is written, so a whole model is never in memory.
   */
  data: TensorData | (() => TensorData);
}

type TensorData = Float32Array | Uint8Array;

export interface SafetensorsHeader {
  /** The 8-byte length prefix followed by the padded JSON header. */
  header: Buffer;
  /** The tensors in file order; their data follows the header back to back. */
  order: TensorToWrite[];
  totalBytes: number;
}

/** Builds the header for `tensors` (from names, dtypes and shapes only; no data is read). */
export function safetensorsHeader(
  tensors: readonly TensorToWrite[],
  metadata: Readonly<Record<string, string>> = {},
): SafetensorsHeader {
  const seen = new Set<string>();
  for (const tensor of tensors) {
    if (tensor.name === '__metadata__')
      throw new Error('safetensors: "__metadata__" is reserved, not a tensor name');
    if (seen.has(tensor.name)) throw new Error(`safetensors: tensor "${tensor.name}" is listed twice`);
    seen.add(tensor.name);
  }
  const order = [...tensors].sort(
    (a, b) =>
      BYTES_PER_ELEMENT[b.dtype] - BYTES_PER_ELEMENT[a.dtype] ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const entries: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) entries.__metadata__ = { ...metadata };
  let offset = 0;
  for (const tensor of order) {
    const bytes = elementCount(tensor) * BYTES_PER_ELEMENT[tensor.dtype];
    entries[tensor.name] = {
      dtype: DTYPE_TAG[tensor.dtype],
      shape: [...tensor.shape],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(entries), 'utf8');
  const paddedLength = Math.ceil((8 + json.byteLength) / 8) * 8 - 8;
  const header = Buffer.alloc(8 + paddedLength, 0x20);
  header.writeBigUInt64LE(BigInt(paddedLength), 0);
  json.copy(header, 8);
  return { header, order, totalBytes: header.byteLength + offset };
}

/**
 * Writes a safetensors file and returns its size. `fsync` flushes it to the disk before closing (for
 * checkpoints, which are written to a temp path, synced, then renamed into place).
 */
export function writeSafetensors(
  path: string,
  tensors: readonly TensorToWrite[],
  metadata: Readonly<Record<string, string>> = {},
  options: { fsync?: boolean } = {},
): number {
  const { header, order, totalBytes } = safetensorsHeader(tensors, metadata);
  const fd = openSync(path, 'w');
  try {
    writeFully(fd, header);
    for (const tensor of order) writeFully(fd, tensorBytes(tensor));
    if (options.fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return totalBytes;
}

function writeFully(fd: number, bytes: Uint8Array): void {
  // writeSync may write fewer bytes than asked (large buffers, some filesystems); loop until done.
  let written = 0;
  while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
}

function elementCount(tensor: TensorToWrite): number {
  return tensor.shape.reduce((product, dim) => {
    if (!Number.isInteger(dim) || dim < 0) {
      throw new Error(`safetensors: tensor "${tensor.name}" has invalid shape [${tensor.shape.join(', ')}]`);
    }
    return product * dim;
  }, 1);
}

/** The bytes of one tensor as stored: its data resolved, checked against its shape, encoded to its dtype. */
export function tensorBytes(tensor: TensorToWrite): Uint8Array {
  const elements = elementCount(tensor);
  const expectedBytes = elements * BYTES_PER_ELEMENT[tensor.dtype];
  const data = typeof tensor.data === 'function' ? tensor.data() : tensor.data;
  if (data instanceof Uint8Array) {
    if (data.byteLength !== expectedBytes) {
      throw new Error(
        `safetensors: tensor "${tensor.name}" has ${data.byteLength} raw bytes; shape [${tensor.shape.join(', ')}] ` +
          `in ${tensor.dtype} needs ${expectedBytes}`,
      );
    }
    return data;
  }
  if (data.length !== elements) {
    throw new Error(
      `safetensors: tensor "${tensor.name}" has ${data.length} values; shape [${tensor.shape.join(', ')}] needs ${elements}`,
    );
  }
  return encodeFloat32(data, tensor.dtype);
}

/** float32 values → little-endian bytes of `dtype` (round to nearest even for the half formats). */
export function encodeFloat32(values: Float32Array, dtype: DType): Uint8Array {
  // The host is little-endian (as the format and every platform Node ships for): float32 is a view.
  if (dtype === 'float32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  const encode = dtype === 'float16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, encode(values[i] ?? 0), true);
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32; round to nearest even on the dropped 16 bits, keep NaN a NaN. */
export function float32ToBfloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) return (bits >>> 16) | 0x0040;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** IEEE half: Math.f16round does the rounding (nearest even, overflow to ±inf, subnormals). */
export function float32ToFloat16Bits(value: number): number {
  const half = Math.f16round(value);
  const sign = half < 0 || Object.is(half, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(half);
  if (Number.isNaN(half)) return 0x7e00;
  if (magnitude === Infinity) return sign | 0x7c00;
  if (magnitude === 0) return sign;
  if (magnitude < 2 ** -14) return sign | Math.round(magnitude / 2 ** -24); // subnormal: exact multiple of 2^-24
  const exponent = Math.floor(Math.log2(magnitude));
  const mantissa = Math.round((magnitude / 2 ** exponent - 1) * 1024); // exact: f16round left 10 bits
  return sign | ((exponent + 15) << 10) | mantissa;
}
