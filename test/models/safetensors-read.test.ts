import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../core/models/errors.ts';
import { readSafetensorsHeader, SafetensorsWeights } from '../../core/models/safetensors/read.ts';
import { encodeFloat32, writeSafetensors } from '../../core/models/safetensors/write.ts';
import type { DType } from '../../core/models/types.ts';
import { MODELS_DIR, rawSafetensors, tempDir } from './checkpoint-files.ts';

function writeRaw(header: Record<string, unknown>, data: Uint8Array | number): string {
  const file = path.join(tempDir(), 'model.safetensors');
  writeFileSync(file, rawSafetensors(header, data));
  return file;
}

/** Expects readSafetensorsHeader to throw a ModelLoadError naming `file` with a message matching `pattern`. */
function expectLoadError(file: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    readSafetensorsHeader(file);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ModelLoadError);
  expect((caught as ModelLoadError).file).toBe(file);
  expect((caught as ModelLoadError).message).toMatch(pattern);
}

describe('safetensors header', () => {
  it('reads the stories260k header: 48 float32 tensors with absolute byte ranges', () => {
    const file = path.join(MODELS_DIR, 'stories260k', 'model.safetensors');
    const header = readSafetensorsHeader(file);
    expect(header.tensors).toHaveLength(48);
    expect(new Set(header.tensors.map((t) => t.dtype))).toEqual(new Set(['float32']));
    const embed = header.tensors.find((t) => t.name === 'model.embed_tokens.weight');
    expect(embed?.shape).toEqual([512, 64]);
    expect((embed?.end ?? 0) - (embed?.begin ?? 0)).toBe(512 * 64 * 4);
    // Absolute offsets: the last tensor ends exactly at the end of the file.
    const lastEnd = Math.max(...header.tensors.map((t) => t.end));
    expect(lastEnd).toBe(1176152);
  });

  it('keeps __metadata__ apart from tensors', () => {
    const file = path.join(tempDir(), 'meta.safetensors');
    writeSafetensors(file, [{ name: 'w', dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) }], {
      format: 'pt',
    });
    const header = readSafetensorsHeader(file);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors.map((t) => t.name)).toEqual(['w']);
  });
});

describe('safetensors dtype conversion', () => {
  // Values chosen to hit normal, subnormal, signed zero, overflow-to-infinity and NaN cases.
  const values = new Float32Array([
    1,
    -2,
    0.5,
    3.140625,
    65504,
    1e-7,
    -0,
    1e5,
    Infinity,
    -Infinity,
    NaN,
    0.1,
  ]);

  it.each<[DType, (x: number) => number]>([
    ['float32', (x) => Math.fround(x)],
    ['float16', (x) => Math.f16round(x)],
    // bfloat16 keeps 8 mantissa bits: the test computes the rounding itself from the float32 bits.
    [
      'bfloat16',
      (x) => {
        const view = new DataView(new ArrayBuffer(4));
        view.setFloat32(0, x);
        const bits = view.getUint32(0);
        if (Number.isNaN(x)) return NaN;
        view.setUint32(0, ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16);
        return view.getFloat32(0);
      },
    ],
  ])('%s round-trips through the writer and reader', (dtype, round) => {
    const file = path.join(tempDir(), `${dtype}.safetensors`);
    writeSafetensors(file, [{ name: 'x', dtype, shape: [values.length], data: values }]);
    const weights = new SafetensorsWeights([readSafetensorsHeader(file)]);
    const decoded = weights.readFloat32('x');
    expect(Array.from(decoded)).toEqual(Array.from(values, round));
    expect(weights.readRaw('x')).toEqual(encodeFloat32(values, dtype));
  });

  it('decodes known bit patterns', () => {
    // float16: 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (smallest subnormal), 0x7bff = 65504.
    // bfloat16: 0x3f80 = 1, 0xc000 = -2, 0x4049 = 3.140625.
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff]).buffer);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc000, 0x4049]).buffer);
    const file = writeRaw(
      {
        a: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
        b: { dtype: 'BF16', shape: [3], data_offsets: [8, 14] },
      },
      Buffer.concat([f16, bf16]),
    );
    const weights = new SafetensorsWeights([readSafetensorsHeader(file)]);
    expect(Array.from(weights.readFloat32('a'))).toEqual([1, -2, 2 ** -24, 65504]);
    expect(Array.from(weights.readFloat32('b'))).toEqual([1, -2, 3.140625]);
  });

  it('reads a tensor at an odd offset inside the data section', () => {
    const file = writeRaw(
      {
        pad: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
        x: { dtype: 'F32', shape: [2], data_offsets: [2, 10] },
      },
      Buffer.concat([Buffer.alloc(2), Buffer.from(new Float32Array([1.5, -7]).buffer)]),
    );
    const weights = new SafetensorsWeights([readSafetensorsHeader(file)]);
    expect(Array.from(weights.readFloat32('x'))).toEqual([1.5, -7]);
  });
});

describe('safetensors validation errors', () => {
  it('rejects a file shorter than the length prefix', () => {
    const file = path.join(tempDir(), 'model.safetensors');
    writeFileSync(file, Buffer.from([1, 2, 3]));
    expectLoadError(file, /3 bytes, too short/);
  });

  it('rejects a header length beyond the file size', () => {
    const file = path.join(tempDir(), 'model.safetensors');
    const bytes = Buffer.alloc(64);
    bytes.writeBigUInt64LE(10_000n);
    writeFileSync(file, bytes);
    expectLoadError(file, /header length 10000 is impossible for a 64-byte file/);
  });

  it('rejects a header that is not JSON', () => {
    const file = path.join(tempDir(), 'model.safetensors');
    const garbage = Buffer.from('{"w": {"dtype": "F32", ', 'utf8');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(garbage.byteLength));
    writeFileSync(file, Buffer.concat([length, garbage, Buffer.alloc(16)]));
    expectLoadError(file, /header is not valid JSON/);
  });

  it('rejects a file truncated inside the data section', () => {
    const file = writeRaw({ w: { dtype: 'F32', shape: [4, 4], data_offsets: [0, 64] } }, 40);
    expectLoadError(file, /tensor "w": data_offsets \[0, 64\] fall outside the data section \(40 bytes\)/);
  });

  it('rejects a byte range whose size does not match the shape', () => {
    const file = writeRaw({ w: { dtype: 'F16', shape: [3, 2], data_offsets: [0, 16] } }, 16);
    expectLoadError(
      file,
      /tensor "w": data_offsets \[0, 16\] span 16 bytes but shape \[3, 2\] of F16 needs 12/,
    );
  });

  it('rejects overlapping tensors', () => {
    const file = writeRaw(
      {
        a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
        b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
      },
      24,
    );
    expectLoadError(file, /tensors "a" and "b" overlap/);
  });

  it.each(['I8', 'F64', 'I64'])('rejects dtype %s, listing the supported ones', (code) => {
    const file = writeRaw({ w: { dtype: code, shape: [1], data_offsets: [0, 8] } }, 8);
    expectLoadError(
      file,
      new RegExp(`tensor "w": dtype "${code}" is not supported; supported: F32, F16, BF16`),
    );
  });

  it('rejects malformed shapes and offsets', () => {
    expectLoadError(
      writeRaw({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4),
      /tensor "w": shape \[-1\] is not a list of non-negative integers/,
    );
    expectLoadError(
      writeRaw({ w: { dtype: 'F32', shape: [1], data_offsets: [4] } }, 4),
      /tensor "w": data_offsets \[4\] is not \[begin, end\]/,
    );
  });

  it('names the file when it cannot be opened', () => {
    const file = path.join(tempDir(), 'absent.safetensors');
    expectLoadError(file, /cannot open/);
  });

  it('refuses to merge two files that hold the same tensor', () => {
    const dir = tempDir();
    const tensor = { name: 'w', dtype: 'float32' as const, shape: [1], data: new Float32Array([1]) };
    writeSafetensors(path.join(dir, 'a.safetensors'), [tensor]);
    writeSafetensors(path.join(dir, 'b.safetensors'), [tensor]);
    const headers = ['a', 'b'].map((name) => readSafetensorsHeader(path.join(dir, `${name}.safetensors`)));
    expect(() => new SafetensorsWeights(headers)).toThrow(/tensor "w" is also stored in .*a\.safetensors/);
  });
});
