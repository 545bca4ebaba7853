// Trainable tensors kept on the WebGPU device as `gpu-buffer` tensors, so a forward pass feeds them
// without an upload and an update moves only the small inputs (a delta, or low-rank factors) to the
// device. Every change runs a tiny ONNX graph on the same device; the tensor it replaces is disposed
// (the probe measured a leak of one buffer per update otherwise). Values come back through an Identity
// session with CPU output: `getData()` on a gpu-buffer tensor crashes the 1.30 Node binding.
//
//   upload    x ─► Identity ─► (gpu-buffer)
//   axpy      W ─► Add(W, s·D) ─► W'                  D, s: CPU inputs copied in by ORT
//   low-rank  W ─► Add(W, (s·U)·Vᵀ) ─► W'             W [rows, cols], U [rows, k], V [cols, k]
//   read      W ─► Identity ─► (cpu)
import { GraphBuilder } from '../graph/builder.ts';
import { encodeGraph } from '../graph/onnx/write-model.ts';
import { disposeTensor, float32Tensor, Session, type Tensor } from './backend.ts';

type OpName = 'upload' | 'read' | 'axpy' | 'lowRank';

function dimsOf(rank: number, prefix: string): string[] {
  return Array.from({ length: rank }, (_, i) => `${prefix}${i}`);
}

function opGraph(op: OpName, rank: number): Uint8Array {
  const g = new GraphBuilder();
  const dims = dimsOf(rank, 'd');
  const w = g.input('w', 'float32', dims);
  let y: string;
  if (op === 'upload' || op === 'read') {
    y = g.op('Identity', [w]);
  } else if (op === 'axpy') {
    const delta = g.input('delta', 'float32', dims);
    const scale = g.input('scale', 'float32', []);
    y = g.add(w, g.mul(delta, scale));
  } else {
    const u = g.input('u', 'float32', ['d0', 'k']);
    const v = g.input('v', 'float32', ['d1', 'k']);
    const scale = g.input('scale', 'float32', []);
    y = g.add(w, g.matmul(g.mul(u, scale), g.transpose(v, [1, 0])));
  }
  g.output(y, 'y', 'float32', dims);
  return encodeGraph(g, `param-store-${op}`);
}

export class GpuParamStore {
  private readonly shapes: readonly (readonly number[])[];
  private readonly tensors: Tensor[];
  private readonly sessions = new Map<string, Session>();

  private constructor(shapes: readonly (readonly number[])[]) {
    this.shapes = shapes;
    this.tensors = [];
  }

  /** Uploads `initial[i]` (shaped `shapes[i]`) to the WebGPU device. */
  static async create(
    shapes: readonly (readonly number[])[],
    initial: readonly Float32Array[],
  ): Promise<GpuParamStore> {
    if (shapes.length !== initial.length)
      throw new Error(`param store: ${shapes.length} shapes but ${initial.length} tensors`);
    const store = new GpuParamStore(shapes);
    for (let i = 0; i < shapes.length; i++)
      store.tensors.push(await store.upload(i, initial[i] as Float32Array));
    return store;
  }

  get size(): number {
    return this.tensors.length;
  }

  /** The device tensors, in order, to feed a forward pass. Valid until the next change. */
  get feeds(): readonly Tensor[] {
    return this.tensors;
  }

  private async session(op: OpName, rank: number): Promise<Session> {
    const key = `${op}:${rank}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = await Session.open(opGraph(op, rank), {
        ep: 'webgpu',
        outputLocation: op === 'read' ? 'cpu' : 'gpu-buffer',
      });
      this.sessions.set(key, session);
    }
    return session;
  }

  private shape(index: number): readonly number[] {
    const shape = this.shapes[index];
    if (!shape) throw new Error(`param store: no tensor ${index} (holds ${this.shapes.length})`);
    return shape;
  }

  private checkLength(index: number, values: Float32Array, what: string): void {
    const expected = this.shape(index).reduce((a, b) => a * b, 1);
    if (values.length !== expected)
      throw new Error(
        `param store: ${what} for tensor ${index} has ${values.length} values, expected ${expected}`,
      );
  }

  private async upload(index: number, values: Float32Array): Promise<Tensor> {
    this.checkLength(index, values, 'values');
    const shape = this.shape(index);
    const session = await this.session('upload', shape.length);
    return (await session.runRaw({ w: float32Tensor(values, shape) }, ['y'])).y as Tensor;
  }

  private replace(index: number, next: Tensor): void {
    const previous = this.tensors[index];
    this.tensors[index] = next;
    if (previous) disposeTensor(previous);
  }

  async set(index: number, values: Float32Array): Promise<void> {
    this.replace(index, await this.upload(index, values));
  }

  /** θ_i ← θ_i + scale·delta. */
  async addScaled(index: number, delta: Float32Array, scale: number): Promise<void> {
    this.checkLength(index, delta, 'delta');
    const shape = this.shape(index);
    const session = await this.session('axpy', shape.length);
    const feeds = {
      w: this.tensors[index] as Tensor,
      delta: float32Tensor(delta, shape),
      scale: float32Tensor(Float32Array.of(scale), []),
    };
    this.replace(index, (await session.runRaw(feeds, ['y'])).y as Tensor);
  }

  /** θ_i ← θ_i + scale·U·Vᵀ for a 2-D tensor [rows, cols], U [rows, rank], V [cols, rank] row-major. */
  async addLowRank(
    index: number,
    u: Float32Array,
    v: Float32Array,
    rank: number,
    scale: number,
  ): Promise<void> {
    const shape = this.shape(index);
    const [rows, cols] = shape;
    if (shape.length !== 2 || rows === undefined || cols === undefined)
      throw new Error(`param store: tensor ${index} is not 2-D`);
    if (u.length !== rows * rank || v.length !== cols * rank) {
      throw new Error(
        `param store: low-rank factors for [${rows}, ${cols}] at rank ${rank} need ${rows * rank} and ${cols * rank} values`,
      );
    }
    const session = await this.session('lowRank', 2);
    const feeds = {
      w: this.tensors[index] as Tensor,
      u: float32Tensor(u, [rows, rank]),
      v: float32Tensor(v, [cols, rank]),
      scale: float32Tensor(Float32Array.of(scale), []),
    };
    this.replace(index, (await session.runRaw(feeds, ['y'])).y as Tensor);
  }

  /** Copies tensor `index` back to the CPU. */
  async read(index: number): Promise<Float32Array> {
    const session = await this.session('read', this.shape(index).length);
    return (await session.run({ w: this.tensors[index] as Tensor }, ['y'])).y as Float32Array;
  }

  async dispose(): Promise<void> {
    this.tensors.splice(0).forEach(disposeTensor);
    for (const session of this.sessions.values()) await session.dispose();
    this.sessions.clear();
  }
}
