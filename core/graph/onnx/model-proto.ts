// The ONNX messages ZO Studio emits (a subset of onnx.proto3), as plain types plus an encoder.
// Field numbers follow onnx/onnx.proto (IR version 8). Tensor payloads are either inline `raw_data`
// or a reference into an external data file, so a multi-GB model never becomes one protobuf.
import { ProtobufWriter } from './protobuf-writer.ts';

/** TensorProto.DataType values we use. */
export const TensorDataType = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  bfloat16: 16,
} as const;
export type TensorDataTypeName = keyof typeof TensorDataType;

/** A dimension is a fixed size or a symbolic name such as "batch". */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: TensorDataTypeName;
  shape: Dim[];
}

export interface ExternalLocation {
  /** File name relative to the model file. */
  location: string;
  offset: number;
  length: number;
}

export interface TensorProtoData {
  name: string;
  dataType: TensorDataTypeName;
  dims: number[];
  /** Little-endian bytes, or where they live in an external file. */
  data: Uint8Array | ExternalLocation;
}

export type AttributeValue =
  number | string | number[] | { float: number } | { floats: number[] } | { int: number } | TensorProtoData;

export interface NodeProtoData {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

export interface ModelProtoData {
  producer: string;
  opsets: { domain: string; version: number }[];
  graph: {
    name: string;
    nodes: NodeProtoData[];
    initializers: TensorProtoData[];
    inputs: ValueInfo[];
    outputs: ValueInfo[];
  };
}

const IR_VERSION = 8;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_TENSOR = 4;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;
const DATA_LOCATION_EXTERNAL = 1;

function encodeTensor(t: TensorProtoData): ProtobufWriter {
  const w = new ProtobufWriter();
  w.packedInts(1, t.dims);
  w.int(2, TensorDataType[t.dataType]);
  w.string(8, t.name);
  if (t.data instanceof Uint8Array) {
    w.bytes(9, t.data);
  } else {
    const entries: [string, string][] = [
      ['location', t.data.location],
      ['offset', String(t.data.offset)],
      ['length', String(t.data.length)],
    ];
    for (const [key, value] of entries) w.message(13, new ProtobufWriter().string(1, key).string(2, value));
    w.int(14, DATA_LOCATION_EXTERNAL);
  }
  return w;
}

function encodeAttribute(name: string, value: AttributeValue): ProtobufWriter {
  const w = new ProtobufWriter().string(1, name);
  if (typeof value === 'number') {
    // Plain numbers: integers become INT, anything fractional FLOAT. Use {float}/{int} to force.
    if (Number.isInteger(value)) w.int(3, value).int(20, ATTR_INT);
    else w.float(2, value).int(20, ATTR_FLOAT);
  } else if (typeof value === 'string') {
    w.string(4, value).int(20, ATTR_STRING);
  } else if (Array.isArray(value)) {
    w.packedInts(8, value).int(20, ATTR_INTS);
  } else if ('float' in value) {
    w.float(2, value.float).int(20, ATTR_FLOAT);
  } else if ('floats' in value) {
    w.packedFloats(7, value.floats).int(20, ATTR_FLOATS);
  } else if ('int' in value) {
    w.int(3, value.int).int(20, ATTR_INT);
  } else {
    w.message(5, encodeTensor(value)).int(20, ATTR_TENSOR);
  }
  return w;
}

function encodeNode(n: NodeProtoData): ProtobufWriter {
  const w = new ProtobufWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const [key, value] of Object.entries(n.attributes)) w.message(5, encodeAttribute(key, value));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function encodeValueInfo(v: ValueInfo): ProtobufWriter {
  const shape = new ProtobufWriter();
  for (const d of v.shape) {
    const dim = new ProtobufWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtobufWriter().int(1, TensorDataType[v.elemType]).message(2, shape);
  const type = new ProtobufWriter().message(1, tensorType);
  return new ProtobufWriter().string(1, v.name).message(2, type);
}

export function encodeModel(model: ModelProtoData): Uint8Array {
  const g = new ProtobufWriter();
  for (const n of model.graph.nodes) g.message(1, encodeNode(n));
  g.string(2, model.graph.name);
  for (const t of model.graph.initializers) g.message(5, encodeTensor(t));
  for (const v of model.graph.inputs) g.message(11, encodeValueInfo(v));
  for (const v of model.graph.outputs) g.message(12, encodeValueInfo(v));
  const m = new ProtobufWriter().int(1, IR_VERSION).string(2, model.producer);
  m.message(7, g);
  for (const o of model.opsets) m.message(8, new ProtobufWriter().string(1, o.domain).int(2, o.version));
  return m.finish();
}
