// The graph-builder DSL the family builders are written in. Values are plain strings (ONNX value
// names); every op call appends one node named by the current scope path, e.g.
// `/model/layers.0/attn/q_proj/MatMul`, whose outputs are `<node>/output_N`. Constants are shared by
// value, so repeated `g.i64([0, 0, -1])` calls cost one initializer. Initializers are recorded lazily
// (a `read` callback), so weights are pulled from the checkpoint only while the model file is written.
import type {
  AttributeValue,
  Dim,
  NodeProtoData,
  TensorDataTypeName,
  ValueInfo,
} from './onnx/model-proto.ts';

export type Value = string;

export interface LazyInitializer {
  name: string;
  dataType: TensorDataTypeName;
  dims: number[];
  byteLength: number;
  read(): Uint8Array;
}

export const OPSET_ONNX = 17;
export const MS_DOMAIN = 'com.microsoft';

interface OpOptions {
  domain?: string;
  /** Number of outputs; defaults to 1. Pass names in `outputNames` to fix them. */
  outputs?: number;
  outputNames?: string[];
  /** Leaf name of the node inside the current scope; defaults to the op type. */
  name?: string;
}

function bytesOf(array: Float32Array | BigInt64Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

export class GraphBuilder {
  readonly nodes: NodeProtoData[] = [];
  readonly initializers: LazyInitializer[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private scopePath: string[] = [];
  private usedNodeNames = new Set<string>();
  private constants = new Map<string, Value>();
  private initializerNames = new Set<string>();

  /** Runs `body` with `name` appended to the node path (`/model/layers.0/...`). */
  scope<T>(name: string, body: () => T): T {
    this.scopePath.push(name);
    try {
      return body();
    } finally {
      this.scopePath.pop();
    }
  }

  input(name: string, elemType: TensorDataTypeName, shape: Dim[]): Value {
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  /** Declares `value` a graph output called `name` (an Identity is added when the names differ). */
  output(value: Value, name: string, elemType: TensorDataTypeName, shape: Dim[]): void {
    if (value !== name) this.op('Identity', [value], {}, { outputNames: [name], name: `${name}/Identity` });
    this.outputs.push({ name, elemType, shape });
  }

  initializer(init: LazyInitializer): Value {
    if (this.initializerNames.has(init.name))
      throw new Error(`graph: initializer "${init.name}" defined twice`);
    this.initializerNames.add(init.name);
    this.initializers.push(init);
    return init.name;
  }

  /** A float32 initializer read on demand (from a checkpoint, or computed). */
  weight(name: string, dims: number[], read: () => Float32Array): Value {
    const byteLength = dims.reduce((a, b) => a * b, 1) * 4;
    return this.initializer({ name, dataType: 'float32', dims, byteLength, read: () => bytesOf(read()) });
  }

  private constant(kind: 'f32' | 'i64', values: readonly number[], dims: number[]): Value {
    const key = `${kind}:${dims.join('x')}:${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing) return existing;
    const name = `/const/${kind}_${this.constants.size}`;
    const data =
      kind === 'f32' ? bytesOf(Float32Array.from(values)) : bytesOf(BigInt64Array.from(values, BigInt));
    this.initializer({
      name,
      dataType: kind === 'f32' ? 'float32' : 'int64',
      dims,
      byteLength: data.length,
      read: () => data,
    });
    this.constants.set(key, name);
    return name;
  }

  /** Shared float32 constant; a scalar when `dims` is omitted and there is one value. */
  f32(values: number | readonly number[], dims?: number[]): Value {
    const list = typeof values === 'number' ? [values] : values;
    return this.constant('f32', list, dims ?? (typeof values === 'number' ? [] : [list.length]));
  }

  /** Shared int64 constant (1-D unless `dims` says otherwise). */
  i64(values: number | readonly number[], dims?: number[]): Value {
    const list = typeof values === 'number' ? [values] : values;
    return this.constant('i64', list, dims ?? (typeof values === 'number' ? [] : [list.length]));
  }

  /** Appends one node and returns its output names. Empty-string inputs mark omitted optionals. */
  ops(
    opType: string,
    inputs: Value[],
    attributes: Record<string, AttributeValue> = {},
    opts: OpOptions = {},
  ): Value[] {
    const leaf = opts.name ?? opType;
    let name = `${this.scopePath.length ? '/' + this.scopePath.join('/') : ''}/${leaf}`;
    for (let i = 1; this.usedNodeNames.has(name); i++) name = `${name.replace(/_\d+$/, '')}_${i}`;
    this.usedNodeNames.add(name);
    const count = opts.outputNames?.length ?? opts.outputs ?? 1;
    const outputs = opts.outputNames ?? Array.from({ length: count }, (_, i) => `${name}/output_${i}`);
    const domain = opts.domain ?? '';
    this.nodes.push({ opType, domain, name, inputs, outputs, attributes });
    return outputs;
  }

  /** Single-output form of `ops`. */
  op(
    opType: string,
    inputs: Value[],
    attributes: Record<string, AttributeValue> = {},
    opts: OpOptions = {},
  ): Value {
    const [out] = this.ops(opType, inputs, attributes, opts);
    if (out === undefined) throw new Error(`graph: ${opType} produced no output`);
    return out;
  }

  // Sugar for the ops the family builders use all the time; each is one node.
  add = (a: Value, b: Value): Value => this.op('Add', [a, b]);
  sub = (a: Value, b: Value): Value => this.op('Sub', [a, b]);
  mul = (a: Value, b: Value): Value => this.op('Mul', [a, b]);
  div = (a: Value, b: Value): Value => this.op('Div', [a, b]);
  matmul = (a: Value, b: Value): Value => this.op('MatMul', [a, b]);
  reshape = (x: Value, shape: readonly number[]): Value => this.op('Reshape', [x, this.i64(shape)]);
  transpose = (x: Value, perm: number[]): Value => this.op('Transpose', [x], { perm });
  unsqueeze = (x: Value, axes: readonly number[]): Value => this.op('Unsqueeze', [x, this.i64(axes)]);
  squeeze = (x: Value, axes: readonly number[]): Value => this.op('Squeeze', [x, this.i64(axes)]);
  cast = (x: Value, to: TensorDataTypeName): Value => {
    const codes: Record<TensorDataTypeName, number> = {
      float32: 1,
      int32: 6,
      int64: 7,
      bool: 9,
      float16: 10,
      bfloat16: 16,
    };
    return this.op('Cast', [x], { to: codes[to] });
  };
  /** Slice along one axis, [start, end). */
  slice = (x: Value, axis: number, start: number, end: number): Value =>
    this.op('Slice', [x, this.i64([start]), this.i64([end]), this.i64([axis])]);
  concat = (values: Value[], axis: number): Value => this.op('Concat', values, { axis });
}
