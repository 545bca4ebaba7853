// Trainable tensors kept on the WebGPU device as `gpu-buffer` tensors, so a forward pass feeds them
// without an upload and a change moves only the small inputs (a delta, or low-rank factors) to the
// device. Every change runs a tiny ONNX graph on the same device; the tensor it replaces is disposed
// (the probe measured a leak of one buffer per update otherwise). Values come back through an Identity
// session with CPU output: `getData()` on a gpu-buffer tensor crashes the 1.30 Node binding.
//
//   upload    x ─► Identity ─► (gpu-buffer)
//   axpy      W ─► Add(W, s·X) ─► W'                      X: a device tensor, or CPU values ORT copies in
//   low-rank  W ─► Add(W, Reshape((s·U)·Vᵀ, Shape(W))) ─► W'   U [rows, k], V [cols, k], rows·cols = |W|
//   read      W ─► Identity ─► (cpu)
//
// Training (core/train/gpu-params.ts) also needs θ + s·d for one forward pass without touching θ:
// `perturbed` returns such a temporary tensor and `view` feeds it in place of θ_i. The store counts the
// device tensors it holds (`liveTensors`: parameters + temporaries not yet released) and the bytes it
// moved host → device (`uploadedBytes`), so callers and tests can see leaks and traffic.
import { GraphBuilder } from '../graph/builder.ts';
import { encodeGraph } from '../graph/onnx/write-model.ts';
import { disposeTensor, float32Tensor, Session, type Tensor } from './backend.ts';

type OpName = 'upload' | 'read' | 'axpy' | 'lowRank';

/**
 * One additive piece of a device-side change, applied as s·piece:
 * - scaled: coef·X, X a device tensor (no traffic) or CPU values (uploaded by this op);
 * - low-rank: U·Vᵀ, U rows×rank and V cols×rank row-major, laid over the tensor's row-major entries.
 */
export type DeviceTerm =
  | { kind: 'scaled'; values: Tensor | Float32Array; coef: number }
  | { kind: 'low-rank'; rows: number; cols: number; rank: number; u: Float32Array; v: Float32Array };

/** Device tensors for one forward pass, in trainables order: the store's, some swapped for temporaries. */
export class DeviceParamView {
  constructor(readonly feeds: readonly Tensor[]) {}
  get size(): number {
    return this.feeds.length;
  }
}

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
    const u = g.input('u', 'float32', ['rows', 'k']);
    const v = g.input('v', 'float32', ['cols', 'k']);
    const scale = g.input('scale', 'float32', []);
    const product = g.matmul(g.mul(u, scale), g.transpose(v, [1, 0]));
    y = g.add(w, g.op('Reshape', [product, g.op('Shape', [w])]));
  }
  g.output(y, 'y', 'float32', dims);
  return encodeGraph(g, `param-store-${op}`);
}

function isDeviceTensor(values: Tensor | Float32Array): values is Tensor {
  return !(values instanceof Float32Array);
}

export class GpuParamStore {
  private readonly shapes: readonly (readonly number[])[];
  private readonly tensors: Tensor[];
  private readonly sessions = new Map<string, Session>();
  private live = 0;
  private uploaded = 0;

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
    try {
      for (let i = 0; i < shapes.length; i++)
        store.tensors.push(await store.upload(initial[i] as Float32Array, store.shape(i), `tensor ${i}`));
    } catch (error) {
      await store.dispose();
      throw error;
    }
    return store;
  }

  get size(): number {
    return this.tensors.length;
  }

  /** The device tensors, in order, to feed a forward pass. Valid until the next change. */
  get feeds(): readonly Tensor[] {
    return this.tensors;
  }

  /** Device tensors held now: the parameters plus temporaries not yet released. */
  get liveTensors(): number {
    return this.live;
  }

  /** Bytes copied host → device by this store since it was created (uploads and CPU-side deltas). */
  get uploadedBytes(): number {
    return this.uploaded;
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

  /** Runs one op graph whose output is a new device tensor (counted live). */
  private async produce(op: OpName, rank: number, feeds: Record<string, Tensor>): Promise<Tensor> {
    const session = await this.session(op, rank);
    const y = (await session.runRaw(feeds, ['y'])).y as Tensor;
    this.live++;
    return y;
  }

  private cpuInput(values: Float32Array, dims: readonly number[]): Tensor {
    this.uploaded += values.byteLength;
    return float32Tensor(values, dims);
  }

  private async upload(values: Float32Array, shape: readonly number[], what: string): Promise<Tensor> {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size)
      throw new Error(`param store: ${what} has ${values.length} values, expected ${size} for [${shape}]`);
    return this.produce('upload', shape.length, { w: this.cpuInput(values, shape) });
  }

  private replace(index: number, next: Tensor): void {
    const previous = this.tensors[index];
    this.tensors[index] = next;
    if (previous) this.release(previous);
  }

  /** θ_i ← values (a full upload). */
  async set(index: number, values: Float32Array): Promise<void> {
    this.checkLength(index, values, 'values');
    this.replace(index, await this.upload(values, this.shape(index), `tensor ${index}`));
  }

  /**
   * A temporary device copy of `values` shaped like tensor `index` (a direction used by several
   * changes, uploaded once). Release it with `release`.
   */
  async uploadLike(index: number, values: Float32Array): Promise<Tensor> {
    this.checkLength(index, values, 'values');
    return this.upload(values, this.shape(index), `values for tensor ${index}`);
  }

  /** θ_i ← θ_i + scale·Σ terms, on the device. */
  async apply(index: number, terms: readonly DeviceTerm[], scale: number): Promise<void> {
    if (terms.length === 0) return;
    this.replace(index, await this.perturbed(index, terms, scale));
  }

  /**
   * A new device tensor θ_i + scale·Σ terms; θ_i is unchanged. The caller releases it. With no terms
   * there is nothing to compute: pass θ_i itself instead.
   */
  async perturbed(index: number, terms: readonly DeviceTerm[], scale: number): Promise<Tensor> {
    if (terms.length === 0) throw new Error(`param store: no terms to perturb tensor ${index} with`);
    const base = this.tensors[index];
    if (!base) throw new Error(`param store: no tensor ${index} (holds ${this.shapes.length})`);
    let current = base;
    for (const term of terms) {
      const next = await this.addTerm(index, current, term, scale);
      // Intermediate sums of a multi-term change are dropped as soon as the next one exists.
      if (current !== base) this.release(current);
      current = next;
    }
    return current;
  }

  private async addTerm(index: number, w: Tensor, term: DeviceTerm, scale: number): Promise<Tensor> {
    const shape = this.shape(index);
    const scalar = (s: number): Tensor => this.cpuInput(Float32Array.of(s), []);
    if (term.kind === 'scaled') {
      if (!isDeviceTensor(term.values)) this.checkLength(index, term.values, 'delta');
      else if (term.values.dims.join() !== shape.join())
        throw new Error(`param store: delta [${term.values.dims}] for tensor ${index} [${shape}]`);
      const delta = isDeviceTensor(term.values) ? term.values : this.cpuInput(term.values, shape);
      return this.produce('axpy', shape.length, { w, delta, scale: scalar(scale * term.coef) });
    }
    const { rows, cols, rank, u, v } = term;
    const size = shape.reduce((a, b) => a * b, 1);
    if (rows * cols !== size || u.length !== rows * rank || v.length !== cols * rank) {
      throw new Error(
        `param store: low-rank factors ${rows}×${cols} at rank ${rank} (U ${u.length}, V ${v.length} values) ` +
          `do not fit tensor ${index} [${shape}]`,
      );
    }
    return this.produce('lowRank', shape.length, {
      w,
      u: this.cpuInput(u, [rows, rank]),
      v: this.cpuInput(v, [cols, rank]),
      scale: scalar(scale),
    });
  }

  /** The parameters with `overrides` (tensor index → temporary) fed in their place. */
  view(overrides: ReadonlyMap<number, Tensor>): DeviceParamView {
    return new DeviceParamView(this.tensors.map((t, i) => overrides.get(i) ?? t));
  }

  /** Frees a temporary from `perturbed` or `uploadLike`. */
  release(tensor: Tensor): void {
    disposeTensor(tensor);
    this.live--;
  }

  /** Copies tensor `index` back to the CPU. */
  async read(index: number): Promise<Float32Array> {
    const session = await this.session('read', this.shape(index).length);
    return (await session.run({ w: this.tensors[index] as Tensor }, ['y'])).y as Float32Array;
  }

  /** Frees the parameters (temporaries are their owners' to release) and the op sessions. */
  async dispose(): Promise<void> {
    this.tensors.splice(0).forEach((t) => this.release(t));
    for (const session of this.sessions.values()) await session.dispose();
    this.sessions.clear();
  }
}
