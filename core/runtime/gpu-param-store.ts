// Trainable tensors kept on the WebGPU device as `gpu-buffer` tensors, so a forward pass feeds them
// without an upload and a change moves only the small inputs (a delta, or low-rank factors) to the
// device. Every change runs a tiny ONNX graph on the same device; the tensor it replaces is disposed
// (the probe measured a leak of one buffer per update otherwise). Values come back through an Identity
// session with CPU output: `getData()` on a gpu-buffer tensor crashes the 1.30 Node binding.
//
//   upload    x ─► Identity ─► (gpu-buffer)
//   change    W ─► Add(W, s·X) ─► …                        X: a device tensor, or CPU values ORT copies in
//               ─► Add(…, Reshape((s·U)·Vᵀ, Shape(W))) ─► W'   U [rows, k], V [cols, k], rows·cols = |W|
//   read      W ─► Identity ─► (cpu)
//
// Uploads and changes are batched: one graph holds the op for every tensor in the call, so changing all
// of a model's tensors is one session run, not one per tensor (a run costs ≈1 ms on lavapipe, and a
// full-mode MeZO step changes every tensor three times). Graphs are compiled per call signature (the
// tensors' ranks and term kinds), which a training run repeats step after step.
//
// Training (core/train/gpu-params.ts) also needs θ + s·d for one forward pass without touching θ:
// `perturbed` returns such temporary tensors and `view` feeds them in place of θ. The store counts the
// device tensors it holds (`liveTensors`: parameters + temporaries not yet released) and the bytes it
// moved host → device (`uploadedBytes`), so callers and tests can see leaks and traffic.
import { GraphBuilder } from '../graph/builder.ts';
import { encodeGraph } from '../graph/onnx/write-model.ts';
import { disposeTensor, float32Tensor, Session, type Tensor } from './backend.ts';

/**
 * One additive piece of a device-side change, applied as s·piece:
 * - scaled: coef·X, X a device tensor (no traffic) or CPU values (uploaded by this op);
 * - low-rank: U·Vᵀ, U rows×rank and V cols×rank row-major, laid over the tensor's row-major entries.
 */
export type DeviceTerm =
  | { kind: 'scaled'; values: Tensor | Float32Array; coef: number }
  | { kind: 'low-rank'; rows: number; cols: number; rank: number; u: Float32Array; v: Float32Array };

/** θ_index + s·Σ terms (at least one term). */
export interface DeviceChange {
  index: number;
  terms: readonly DeviceTerm[];
}

/** Values for tensor `index`, to upload. */
export interface DeviceUpload {
  index: number;
  values: Float32Array;
}

/** Device tensors for one forward pass, in trainables order: the store's, some swapped for temporaries. */
export class DeviceParamView {
  constructor(readonly feeds: readonly Tensor[]) {}
  get size(): number {
    return this.feeds.length;
  }
}

/** A batched graph's signature: per tensor its rank and, for a change, its term kinds. */
type Signature =
  { op: 'upload' | 'read'; ranks: number[] } | { op: 'change'; ranks: number[]; kinds: string[] };

function signatureKey(signature: Signature): string {
  const parts = signature.ranks.map((rank, k) =>
    signature.op === 'change' ? `${rank}:${signature.kinds[k]}` : `${rank}`,
  );
  return `${signature.op}/${parts.join(';')}`;
}

function dimsOf(rank: number, prefix: string): string[] {
  return Array.from({ length: rank }, (_, i) => `${prefix}${i}`);
}

function opGraph(signature: Signature): Uint8Array {
  const g = new GraphBuilder();
  signature.ranks.forEach((rank, k) => {
    const dims = dimsOf(rank, `t${k}_d`);
    const w = g.input(`w${k}`, 'float32', dims);
    let y = w;
    if (signature.op !== 'change') {
      y = g.op('Identity', [w]);
    } else {
      // 's' = scaled term, 'l' = low-rank term, in order.
      [...(signature.kinds[k] ?? '')].forEach((kind, j) => {
        const scale = g.input(`s${k}_${j}`, 'float32', []);
        if (kind === 's') {
          y = g.add(y, g.mul(g.input(`x${k}_${j}`, 'float32', dims), scale));
        } else {
          const u = g.input(`u${k}_${j}`, 'float32', [`t${k}_${j}_rows`, `t${k}_${j}_k`]);
          const v = g.input(`v${k}_${j}`, 'float32', [`t${k}_${j}_cols`, `t${k}_${j}_k`]);
          const product = g.matmul(g.mul(u, scale), g.transpose(v, [1, 0]));
          y = g.add(y, g.op('Reshape', [product, g.op('Shape', [w])]));
        }
      });
    }
    g.output(y, `y${k}`, 'float32', dims);
  });
  return encodeGraph(g, `param-store-${signature.op}`);
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
      store.tensors.push(...(await store.uploadLike(initial.map((values, index) => ({ index, values })))));
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

  /** Bytes copied host → device by this store since it was created (uploads, CPU-side deltas, scalars). */
  get uploadedBytes(): number {
    return this.uploaded;
  }

  /**
   * The compiled graph for `signature`. Sessions are kept until `dispose`: an LRU cap that released old
   * ones crashed the process (SIGSEGV, onnxruntime-node 1.30 on lavapipe) at the first run after an
   * evicted graph was compiled again, while a producer's outputs did survive its release in isolation;
   * the cause is not isolated, so nothing is released early. A run repeats a handful of signatures.
   */
  private async session(signature: Signature): Promise<Session> {
    const key = signatureKey(signature);
    let session = this.sessions.get(key);
    if (!session) {
      session = await Session.open(opGraph(signature), {
        ep: 'webgpu',
        outputLocation: signature.op === 'read' ? 'cpu' : 'gpu-buffer',
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

  private cpuInput(values: Float32Array, dims: readonly number[]): Tensor {
    this.uploaded += values.byteLength;
    return float32Tensor(values, dims);
  }

  /** Runs one batched graph; its outputs y0…y(n−1) are new device tensors (counted live). */
  private async produce(signature: Signature, feeds: Record<string, Tensor>): Promise<Tensor[]> {
    const session = await this.session(signature);
    const names = signature.ranks.map((_, k) => `y${k}`);
    const results = await session.runRaw(feeds, names);
    this.live += names.length;
    return names.map((name) => results[name] as Tensor);
  }

  private replace(index: number, next: Tensor): void {
    const previous = this.tensors[index];
    this.tensors[index] = next;
    if (previous) this.release(previous);
  }

  /**
   * Temporary device copies of `values`, each shaped like its tensor (a direction used by several
   * changes, uploaded once), in one run. Release them with `release`.
   */
  async uploadLike(uploads: readonly DeviceUpload[]): Promise<Tensor[]> {
    if (uploads.length === 0) return [];
    const feeds: Record<string, Tensor> = {};
    uploads.forEach(({ index, values }, k) => {
      this.checkLength(index, values, 'values');
      feeds[`w${k}`] = this.cpuInput(values, this.shape(index));
    });
    return this.produce({ op: 'upload', ranks: uploads.map(({ index }) => this.shape(index).length) }, feeds);
  }

  /** θ_index ← values for each upload (full uploads, one run). */
  async set(uploads: readonly DeviceUpload[]): Promise<void> {
    const tensors = await this.uploadLike(uploads);
    uploads.forEach(({ index }, k) => this.replace(index, tensors[k] as Tensor));
  }

  /** θ_index ← θ_index + scale·Σ terms for each change, on the device, in one run. */
  async apply(changes: readonly DeviceChange[], scale: number): Promise<void> {
    const tensors = await this.perturbed(changes, scale);
    changes.forEach(({ index }, k) => this.replace(index, tensors[k] as Tensor));
  }

  /**
   * New device tensors θ_index + scale·Σ terms, one per change, in one run; θ is unchanged. The caller
   * releases them.
   */
  async perturbed(changes: readonly DeviceChange[], scale: number): Promise<Tensor[]> {
    if (changes.length === 0) return [];
    const feeds: Record<string, Tensor> = {};
    const kinds = changes.map(({ index, terms }, k) => {
      if (terms.length === 0) throw new Error(`param store: no terms to change tensor ${index} with`);
      const w = this.tensors[index];
      if (!w) throw new Error(`param store: no tensor ${index} (holds ${this.shapes.length})`);
      feeds[`w${k}`] = w;
      terms.forEach((term, j) => this.feedTerm(feeds, index, `${k}_${j}`, term, scale));
      return terms.map((term) => (term.kind === 'scaled' ? 's' : 'l')).join('');
    });
    const ranks = changes.map(({ index }) => this.shape(index).length);
    return this.produce({ op: 'change', ranks, kinds }, feeds);
  }

  private feedTerm(
    feeds: Record<string, Tensor>,
    index: number,
    slot: string,
    term: DeviceTerm,
    scale: number,
  ): void {
    const shape = this.shape(index);
    if (term.kind === 'scaled') {
      if (!isDeviceTensor(term.values)) this.checkLength(index, term.values, 'delta');
      else if (term.values.dims.join() !== shape.join())
        throw new Error(`param store: delta [${term.values.dims}] for tensor ${index} [${shape}]`);
      feeds[`x${slot}`] = isDeviceTensor(term.values) ? term.values : this.cpuInput(term.values, shape);
      feeds[`s${slot}`] = this.cpuInput(Float32Array.of(scale * term.coef), []);
      return;
    }
    const { rows, cols, rank, u, v } = term;
    const size = shape.reduce((a, b) => a * b, 1);
    if (rows * cols !== size || u.length !== rows * rank || v.length !== cols * rank) {
      throw new Error(
        `param store: low-rank factors ${rows}×${cols} at rank ${rank} (U ${u.length}, V ${v.length} values) ` +
          `do not fit tensor ${index} [${shape}]`,
      );
    }
    feeds[`u${slot}`] = this.cpuInput(u, [rows, rank]);
    feeds[`v${slot}`] = this.cpuInput(v, [cols, rank]);
    feeds[`s${slot}`] = this.cpuInput(Float32Array.of(scale), []);
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
    const session = await this.session({ op: 'read', ranks: [this.shape(index).length] });
    return (await session.run({ w0: this.tensors[index] as Tensor }, ['y0'])).y0 as Float32Array;
  }

  /** Frees the parameters (temporaries are their owners' to release) and the op sessions. */
  async dispose(): Promise<void> {
    this.tensors.splice(0).forEach((t) => this.release(t));
    for (const session of this.sessions.values()) await session.dispose();
    this.sessions.clear();
  }
}
