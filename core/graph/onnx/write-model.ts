// Serializes a built graph to disk: `model.onnx` plus `weights.bin` holding every initializer as ONNX
// external data. Tensors are read from their source and written one at a time, so the process never
// holds the whole model twice and the 2 GB protobuf limit never applies. Small constants stay inline.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { GraphBuilder } from '../builder.ts';
import { MS_DOMAIN, OPSET_ONNX } from '../builder.ts';
import { encodeModel } from './model-proto.ts';
import type { TensorProtoData } from './model-proto.ts';

const INLINE_LIMIT_BYTES = 1024;
// ORT memory-maps external data; aligning each tensor keeps the mapped views aligned for SIMD loads.
const EXTERNAL_ALIGN_BYTES = 64;
export const WEIGHTS_FILE = 'weights.bin';

/** Encodes the graph in memory with all tensors inline (for small graphs and tests). */
export function encodeGraph(g: GraphBuilder, name = 'zo-studio'): Uint8Array {
  const initializers: TensorProtoData[] = g.initializers.map((t) => ({
    name: t.name,
    dataType: t.dataType,
    dims: t.dims,
    data: t.read(),
  }));
  return encodeModel(modelData(g, name, initializers));
}

/** Writes `model.onnx` + `weights.bin` into `dir`; returns the model path. */
export function writeGraph(g: GraphBuilder, dir: string, name = 'zo-studio'): string {
  const weightsPath = path.join(dir, WEIGHTS_FILE);
  const fd = openSync(weightsPath, 'w');
  const initializers: TensorProtoData[] = [];
  let offset = 0;
  try {
    for (const t of g.initializers) {
      const base = { name: t.name, dataType: t.dataType, dims: t.dims };
      if (t.byteLength <= INLINE_LIMIT_BYTES) {
        initializers.push({ ...base, data: t.read() });
        continue;
      }
      const padding = (EXTERNAL_ALIGN_BYTES - (offset % EXTERNAL_ALIGN_BYTES)) % EXTERNAL_ALIGN_BYTES;
      if (padding) writeFully(fd, new Uint8Array(padding));
      offset += padding;
      const bytes = t.read();
      if (bytes.length !== t.byteLength) {
        throw new Error(`graph: initializer "${t.name}" has ${bytes.length} bytes, expected ${t.byteLength}`);
      }
      writeFully(fd, bytes);
      initializers.push({ ...base, data: { location: WEIGHTS_FILE, offset, length: bytes.length } });
      offset += bytes.length;
    }
  } finally {
    closeSync(fd);
  }
  const modelPath = path.join(dir, 'model.onnx');
  writeFileSync(modelPath, encodeModel(modelData(g, name, initializers)));
  return modelPath;
}

function writeFully(fd: number, bytes: Uint8Array): void {
  // writeSync may write less than asked for large buffers; loop until done.
  for (let written = 0; written < bytes.length;)
    written += writeSync(fd, bytes, written, bytes.length - written);
}

function modelData(g: GraphBuilder, name: string, initializers: TensorProtoData[]) {
  const opsets = [{ domain: '', version: OPSET_ONNX }];
  if (g.nodes.some((n) => n.domain === MS_DOMAIN)) opsets.push({ domain: MS_DOMAIN, version: 1 });
  return {
    producer: 'zo-studio',
    opsets,
    graph: { name, nodes: g.nodes, initializers, inputs: g.inputs, outputs: g.outputs },
  };
}
