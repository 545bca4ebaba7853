// safetensors dtype codes and their float32 conversions. The host is assumed little-endian (as are the
// safetensors format and every platform Node ships for), so typed-array views read the bytes directly.
import type { DType } from '../types.ts';

/** safetensors header code → our dtype name, for the dtypes we can convert to float32. */
export const SUPPORTED_DTYPES: Readonly<Record<string, DType>> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
};

export const DTYPE_BYTES: Readonly<Record<DType, number>> = { float32: 4, float16: 2, bfloat16: 2 };

let float16Table: Float32Array | undefined;

/** All 65,536 half-precision values decoded once (256 KiB): a lookup beats per-element bit math. */
function halfToFloatTable(): Float32Array {
  if (float16Table) return float16Table;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) table[bits] = mantissa ? NaN : sign * Infinity;
    else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  float16Table = table;
  return table;
}

/**
 * Converts raw little-endian bytes of `dtype` to float32. The result may share memory with `bytes` (the
 * float32 case when aligned), so pass a buffer you own.
 */
export function toFloat32(bytes: Uint8Array, dtype: DType): Float32Array {
  // Typed-array views need aligned offsets; copy the rare unaligned input once.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (dtype === 'float32') {
    return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  }
  const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
  if (dtype === 'bfloat16') {
    // bfloat16 is exactly the top 16 bits of a float32.
    const words = new Uint32Array(halves.length);
    for (let i = 0; i < halves.length; i++) words[i] = (halves[i] as number) << 16;
    return new Float32Array(words.buffer);
  }
  const table = halfToFloatTable();
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = table[halves[i] as number] as number;
  return out;
}
