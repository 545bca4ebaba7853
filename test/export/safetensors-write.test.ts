// The safetensors writer against the format spec and the project's reader: header layout (8-byte
// length, space padding to 8 bytes, data_offsets), dtype encodings (F16/BF16 rounding, specials) and
// the refusal of inconsistent tensors.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toFloat32 } from '../../core/models/safetensors/dtypes.ts';
import { readSafetensorsHeader, SafetensorsWeights } from '../../core/models/safetensors/read.ts';
import {
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  writeSafetensors,
} from '../../core/models/safetensors/write.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zo-st-write-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('safetensors writer', () => {
  it('writes a spec-conformant header and data the reader returns unchanged', () => {
    const path = join(dir, 't.safetensors');
    const a = Float32Array.from({ length: 6 }, (_, i) => i - 2.5);
    const h = Float32Array.of(1, -2, 0.5); // odd count of 2-byte values: must not misalign what follows
    const size = writeSafetensors(
      path,
      [
        { name: 'half', dtype: 'float16', shape: [3], data: h },
        { name: 'a', dtype: 'float32', shape: [2, 3], data: a },
        { name: 'lazy', dtype: 'bfloat16', shape: [2], data: () => Float32Array.of(3, -4) },
      ],
      { format: 'pt', note: 'hi' },
    );
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(size);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect((8 + headerLength) % 8).toBe(0);
    const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
    expect(headerText).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(headerText) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: number[] }
    >;
    // Wider dtypes first, then by name: every tensor stays aligned to its element size.
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.half).toEqual({ dtype: 'F16', shape: [3], data_offsets: [24, 30] });
    expect(header.lazy).toEqual({ dtype: 'BF16', shape: [2], data_offsets: [30, 34] });
    expect(header.__metadata__).toEqual({ format: 'pt', note: 'hi' });

    const weights = new SafetensorsWeights([readSafetensorsHeader(path)]);
    expect([...weights.readFloat32('a')]).toEqual([...a]);
    expect([...weights.readFloat32('half')]).toEqual([1, -2, 0.5]);
    expect([...weights.readFloat32('lazy')]).toEqual([3, -4]);
  });

  it('rounds to float16 and bfloat16 to nearest even, keeping specials', () => {
    const values = [
      0,
      -0,
      1,
      -1.5,
      65504,
      70000,
      1e-8,
      2 ** -24,
      3 * 2 ** -25,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      Infinity,
      -Infinity,
      0.1,
      3.14159,
    ];
    for (const value of values) {
      expect(toFloat32(Uint8Array.from(u16(float32ToFloat16Bits(value))), 'float16')[0]).toBe(
        Math.f16round(value),
      );
    }
    expect(float32ToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits(Number.NaN) & 0x3ff).not.toBe(0);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    // bfloat16: 1 + 2^-8 is halfway between 1 and 1 + 2^-7 → even (1); 1 + 3·2^-8 → 1 + 2^-6.
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(toFloat32(Uint8Array.from(u16(float32ToBfloat16Bits(-2.75))), 'bfloat16')[0]).toBe(-2.75);
    expect(float32ToBfloat16Bits(Number.NaN) & 0x7f80).toBe(0x7f80);
    expect(float32ToBfloat16Bits(Number.NaN) & 0x7f).not.toBe(0);
  });

  it('refuses inconsistent tensors with the tensor name', () => {
    const path = join(dir, 'bad.safetensors');
    expect(() =>
      writeSafetensors(path, [{ name: 'w', dtype: 'float32', shape: [2, 2], data: new Float32Array(3) }]),
    ).toThrow(/tensor "w" has 3 values; shape \[2, 2\] needs 4/);
    expect(() =>
      writeSafetensors(path, [{ name: 'w', dtype: 'float16', shape: [2], data: new Uint8Array(3) }]),
    ).toThrow(/tensor "w" has 3 raw bytes; shape \[2\] in float16 needs 4/);
    const t = { name: 'w', dtype: 'float32' as const, shape: [1], data: new Float32Array(1) };
    expect(() => writeSafetensors(path, [t, t])).toThrow(/tensor "w" is listed twice/);
    expect(() => writeSafetensors(path, [{ ...t, shape: [-1] }])).toThrow(/invalid shape \[-1\]/);
  });
});

function u16(bits: number): number[] {
  return [bits & 0xff, bits >> 8];
}
