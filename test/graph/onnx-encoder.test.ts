// The hand-written ONNX encoder: wire-format details checked byte for byte, and graphs using every
// attribute kind, negative ints, the com.microsoft domain and external data are loaded and run by ORT
// (the real consumer) with results checked against JS arithmetic.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder, MS_DOMAIN } from '../../core/graph/builder.ts';
import { ProtobufWriter } from '../../core/graph/onnx/protobuf-writer.ts';
import { encodeGraph, writeGraph, WEIGHTS_FILE } from '../../core/graph/onnx/write-model.ts';
import { float32Tensor, Session } from '../../core/runtime/backend.ts';

describe('protobuf writer', () => {
  it('encodes varints, negative int64, fixed32 floats and length-delimited fields like protoc', () => {
    expect([...new ProtobufWriter().int(1, 300).finish()]).toEqual([0x08, 0xac, 0x02]);
    // int64 −1 is ten bytes of two's complement varint.
    expect([...new ProtobufWriter().int(3, -1).finish()]).toEqual([0x18, ...new Array(9).fill(0xff), 0x01]);
    expect([...new ProtobufWriter().float(2, 1.5).finish()]).toEqual([0x15, 0x00, 0x00, 0xc0, 0x3f]);
    expect([...new ProtobufWriter().string(4, 'ab').finish()]).toEqual([0x22, 0x02, 0x61, 0x62]);
    expect([...new ProtobufWriter().packedInts(8, [1, -1]).finish()].slice(0, 3)).toEqual([0x42, 11, 0x01]);
  });
});

describe('graph builder + ORT', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zo-encoder-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // y = SkipSimplifiedLayerNorm(Transpose(x)·W, skip=x', γ) exercises ints (perm), float (epsilon),
  // negative int attributes (axis −1), the com.microsoft domain, and a large (external) initializer.
  function build(size: number) {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['n', size]);
    const w = Float32Array.from({ length: size * size }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
    const y = g.scope('block', () => {
      const t = g.transpose(g.transpose(x, [1, 0]), [1, 0]);
      const xw = g.matmul(
        t,
        g.weight('w', [size, size], () => w),
      );
      const gamma = g.f32(Array.from({ length: size }, (_, i) => 1 + i / size));
      const [normed] = g.ops(
        'SkipSimplifiedLayerNormalization',
        [xw, x, gamma],
        { epsilon: { float: 1e-5 } },
        { domain: MS_DOMAIN, outputs: 1 },
      );
      return g.op('ReduceSum', [normed as string, g.i64([-1])], { keepdims: 0 });
    });
    g.output(y, 'y', 'float32', ['n']);
    return { g, w };
  }

  function expected(x: Float32Array, w: Float32Array, size: number): number[] {
    const rows = x.length / size;
    return Array.from({ length: rows }, (_, r) => {
      const s = Array.from({ length: size }, (_, j) => {
        let acc = x[r * size + j] as number;
        for (let k = 0; k < size; k++) acc += (x[r * size + k] as number) * (w[k * size + j] as number);
        return acc;
      });
      const rms = Math.sqrt(s.reduce((a, v) => a + v * v, 0) / size + 1e-5);
      return s.reduce((a, v, j) => a + (v / rms) * (1 + j / size), 0);
    });
  }

  it('names nodes by scope path and shares constants by value', () => {
    const { g } = build(4);
    expect(g.nodes.map((n) => n.name)).toContain('/block/MatMul');
    expect(g.nodes.filter((n) => n.name.startsWith('/block/Transpose'))).toHaveLength(2);
    g.i64([-1]);
    expect(g.initializers.filter((t) => t.name.startsWith('/const/'))).toHaveLength(2);
  });

  it('runs inline (encodeGraph) and with external data (writeGraph) with the same, correct results', async () => {
    const size = 64; // 16 KiB of weights: above the inline limit, so writeGraph puts them in weights.bin
    const { g, w } = build(size);
    const x = Float32Array.from({ length: 3 * size }, (_, i) => Math.sin(i));
    const want = expected(x, w, size);
    const modelPath = writeGraph(g, dir);
    expect(statSync(path.join(dir, WEIGHTS_FILE)).size).toBeGreaterThanOrEqual(size * size * 4);
    expect(readFileSync(modelPath).length).toBeLessThan(size * size * 4);
    for (const model of [encodeGraph(g), modelPath]) {
      const session = await Session.open(model, { ep: 'cpu' });
      const { y } = await session.run({ x: float32Tensor(x, [3, size]) }, ['y']);
      await session.dispose();
      want.forEach((v, i) => expect(y?.[i]).toBeCloseTo(v, 3));
    }
  });
});
