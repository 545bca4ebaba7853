// Training on the WebGPU parameter store: for a webgpu session the trainable tensors live on the device
// for the whole run (core/runtime/gpu-param-store.ts), so a forward pass at θ feeds them without an
// upload, and a forward pass at θ + s·d computes the perturbed tensors on the device next to θ:
//
//   Gaussian term coef·z   z generated on the host (direction cache), uploaded ONCE per direction and
//                          kept on the device for +ε, −ε and the update
//   low-rank term U·Vᵀ     U and V uploaded (small)
//   dense term coef·x      x uploaded for the pass (the same bytes the plain path would move)
//
// and θ + s·d for every perturbed tensor is one batched graph run of the store. The host arrays stay
// the masters (checkpoints and exports read them; validation at them is fed from the device). The
// device copy follows them through the update rule the session hands the loop (`mirrorUpdates`): after
// the rule updates the masters, the same change is queued for the device and run before the next
// device pass — ZO-SGD without weight decay as θ ← θ − η·Σ terms with the z already there (no upload;
// U, V for low-rank terms), anything else (Adam, momentum, sign rules, decay, dense terms, a z no
// longer on the device) by re-uploading the tensors it changed. The store counts the bytes all of this
// moves host → device.
//
// The device copy is bound to the master arrays by identity: the loop's `state.params` arrays are the
// ones the rule mutates, and new arrays (a restored checkpoint) are noticed and uploaded. Writes into the
// masters that bypass the session's rule (a bare rule from the registry, a test poking values) cannot be
// seen by identity, so a few sampled entries per tensor are compared before each device pass: a
// mismatch re-uploads the tensor. That catches dense updates, not a write to a single entry.
import { generateDirection } from '../estimators/direction-cache.ts';
import type { Direction, Estimate, EstimateTerm, Params } from '../estimators/types.ts';
import type { UpdateRule } from '../optim/types.ts';
import type { Tensor } from '../runtime/backend.ts';
import type { Batch, Engine, ForwardOutput } from '../runtime/engine.ts';
import {
  GpuParamStore,
  type DeviceChange,
  type DeviceTerm,
  type DeviceUpload,
} from '../runtime/gpu-param-store.ts';

/**
 * Device-side directions may take this many parameter-sized sets (MeZO's n-SPSA keeps n of them until
 * the update); beyond it a direction is uploaded for its pass only and the update re-uploads θ instead.
 */
const DIRECTION_SETS_ON_DEVICE = 4;

/** Entries per tensor compared with the host before a device pass (see the header). */
const SAMPLED_ENTRIES = 16;

/**
 * The device copy is re-uploaded from the masters every this many mirrored updates, so the float32
 * rounding in which device and host arithmetic differ (≈1 ulp per update) cannot accumulate.
 */
const RESYNC_EVERY_UPDATES = 1000;

/** A change already made to the host masters, waiting to be made on the device. */
interface PendingUpdate {
  changes: DeviceChange[];
  scale: number;
}

/**
 * Directions are uploaded in batches of at most this many floats: one run for a LoRA model's, a few
 * for a large model's, while the host buffers handed to ORT stay bounded.
 */
const UPLOAD_BATCH_FLOATS = 1 << 24;

/** Limits, defaulted above; tests lower them to reach the paths beyond them in a few steps. */
export interface GpuTrainingOptions {
  directionSets?: number;
  resyncEveryUpdates?: number;
}

export interface DeviceTraffic {
  /** Host → device bytes moved by the parameter store (uploads, directions, factors, scalars). */
  uploadedBytes: number;
  /** Bytes of parameter arrays fed from the host instead (the fallback path; ORT uploads them). */
  hostFedBytes: number;
  /** Device tensors held now (parameters, directions kept for the update, temporaries). */
  liveTensors: number;
}

export class GpuTrainingParams {
  private store: GpuParamStore | undefined;
  /** The host arrays the device copy mirrors, per tensor. */
  private bound: Float32Array[] = [];
  /** Per tensor, the sampled host entries the device copy was last known to equal. */
  private samples: Float32Array[] = [];
  /** Tensors whose device copy must be re-uploaded from `bound` before the next device pass. */
  private readonly stale = new Set<number>();
  private pending: PendingUpdate[] = [];
  /** z on the device, keyed by its random address, for the current step's passes and update. */
  private readonly directions = new Map<string, Tensor>();
  /** The seed of the step the held directions belong to. */
  private directionSeed: number | undefined;
  private directionFloats = 0;
  /** Directions the pending updates read: released once those have run. */
  private retiring: Tensor[] = [];
  private updates = 0;
  private hostFed = 0;

  /** Floats of device-side directions kept beyond one pass. */
  private readonly directionCap: number;
  private readonly resyncEvery: number;

  constructor(
    private readonly engine: Engine,
    options: GpuTrainingOptions = {},
  ) {
    if (engine.ep !== 'webgpu')
      throw new Error(`GpuTrainingParams needs a webgpu engine (this one runs on ${engine.ep})`);
    const paramFloats = engine.trainables.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
    this.directionCap = (options.directionSets ?? DIRECTION_SETS_ON_DEVICE) * paramFloats;
    this.resyncEvery = options.resyncEveryUpdates ?? RESYNC_EVERY_UPDATES;
  }

  traffic(): DeviceTraffic {
    return {
      uploadedBytes: this.store?.uploadedBytes ?? 0,
      hostFedBytes: this.hostFed,
      liveTensors: this.store?.liveTensors ?? 0,
    };
  }

  /** One forward pass at `values`: from the device when they are the masters it mirrors. */
  async forward(batch: Batch, values: readonly Float32Array[]): Promise<ForwardOutput> {
    if (this.store && values.length === this.bound.length && values.every((v, i) => v === this.bound[i])) {
      await this.sync();
      return this.engine.forward(batch, this.store);
    }
    for (const v of values) this.hostFed += v.byteLength;
    return this.engine.forward(batch, values);
  }

  /** One forward pass at θ + scale·d, θ = `params` (the masters), every perturbed tensor made on the device. */
  async forwardAt(batch: Batch, params: Params, direction: Direction, scale: number): Promise<ForwardOutput> {
    const store = await this.bind(params.map((p) => p.data));
    this.releaseOtherStepDirections(direction);
    const passOnly = new Map<string, Tensor>();
    let perturbed: Tensor[] = [];
    try {
      await this.uploadDirections(direction, passOnly);
      const changes: DeviceChange[] = [];
      direction.forEach((terms, index) => {
        if (terms.length > 0) changes.push({ index, terms: this.deviceTerms(index, terms, passOnly) });
      });
      perturbed = await store.perturbed(changes, scale);
      const overrides = new Map(changes.map(({ index }, k) => [index, perturbed[k] as Tensor]));
      return await this.engine.forward(batch, store.view(overrides));
    } finally {
      for (const tensor of [...perturbed, ...passOnly.values()]) store.release(tensor);
    }
  }

  /**
   * `rule` with its updates mirrored on the device (see the header): by device arithmetic on the
   * tensors where the rule says its update is a plain step θ − η·ĝ (UpdateRule.isPlainStep), else by
   * re-uploading what it changed.
   */
  mirrorUpdates<S>(rule: UpdateRule<S>): UpdateRule<S> {
    const mirrors = rule.isPlainStep ?? (() => false);
    return {
      ...rule,
      apply: (params, estimate, state, lr) => {
        const next = rule.apply(params, estimate, state, lr);
        this.afterHostUpdate(params, estimate, lr, mirrors);
        return next;
      },
    };
  }

  async dispose(): Promise<void> {
    const store = this.store;
    this.store = undefined;
    if (!store) return;
    for (const tensor of [...this.directions.values(), ...this.retiring]) store.release(tensor);
    this.directions.clear();
    this.retiring = [];
    this.pending = [];
    await store.dispose();
  }

  /** Makes the device copy mirror `arrays` (uploading those it did not mirror) and brings it up to date. */
  private async bind(arrays: readonly Float32Array[]): Promise<GpuParamStore> {
    if (!this.store) {
      this.store = await GpuParamStore.create(
        this.engine.trainables.map((t) => t.shape),
        arrays,
      );
      this.bound = [...arrays];
      this.samples = arrays.map(sampleOf);
      return this.store;
    }
    arrays.forEach((array, index) => {
      if (array === this.bound[index]) return;
      this.bound[index] = array;
      this.stale.add(index);
    });
    await this.sync();
    return this.store;
  }

  /** Runs the pending mirrored updates, re-uploads stale tensors, frees the directions they read. */
  private async sync(): Promise<void> {
    const store = this.store;
    if (!store) return;
    this.bound.forEach((array, index) => {
      if (!sameEntries(sampleOf(array), this.samples[index] as Float32Array)) this.stale.add(index);
    });
    // A stale tensor is re-uploaded whole, which already includes its pending updates.
    for (const { changes, scale } of this.pending)
      await store.apply(
        changes.filter(({ index }) => !this.stale.has(index)),
        scale,
      );
    this.pending = [];
    const uploads = [...this.stale].map((index) => ({ index, values: this.bound[index] as Float32Array }));
    await store.set(uploads);
    for (const { index, values } of uploads) this.samples[index] = sampleOf(values);
    this.stale.clear();
    for (const tensor of this.retiring) store.release(tensor);
    this.retiring = [];
  }

  /**
   * Held directions belong to one step (one seed). A pass drawing another seed means that step ended
   * without its update coming through `mirrorUpdates` (a skipped step, a bare rule): they are freed
   * here rather than kept until the cap.
   */
  private releaseOtherStepDirections(direction: Direction): void {
    const seeds = new Set(
      direction.flatMap((terms) => terms.flatMap((t) => (t.kind === 'gaussian' ? [t.seed] : []))),
    );
    if (seeds.size === 0 || this.directionSeed === undefined || seeds.has(this.directionSeed)) return;
    for (const tensor of this.directions.values()) this.store?.release(tensor);
    this.directions.clear();
    this.directionFloats = 0;
  }

  /**
   * Uploads the Gaussian directions of `direction` the device does not hold yet, in batched runs. They
   * are kept for the step's other passes and its update while they fit DIRECTION_SETS_ON_DEVICE, else
   * go to `passOnly`, released after this pass.
   */
  private async uploadDirections(direction: Direction, passOnly: Map<string, Tensor>): Promise<void> {
    const store = this.store as GpuParamStore;
    let batch: (DeviceUpload & { key: string; seed: number })[] = [];
    let batchFloats = 0;
    const flush = async () => {
      const tensors = await store.uploadLike(batch);
      batch.forEach(({ key, seed, values }, k) => {
        const z = tensors[k] as Tensor;
        if (this.directionFloats + values.length <= this.directionCap) {
          this.directions.set(key, z);
          this.directionSeed = seed;
          this.directionFloats += values.length;
        } else {
          passOnly.set(key, z);
        }
      });
      batch = [];
      batchFloats = 0;
    };
    for (const [index, terms] of direction.entries()) {
      const length = (this.bound[index] as Float32Array).length;
      for (const term of terms) {
        if (term.kind !== 'gaussian') continue;
        const key = directionKey(term, index);
        if (this.directions.has(key) || passOnly.has(key) || batch.some((b) => b.key === key)) continue;
        if (batchFloats + length > UPLOAD_BATCH_FLOATS && batch.length > 0) await flush();
        const address = { seed: term.seed, stream: term.stream, tensor: index, sample: term.sample };
        // The direction cache's buffer (generated once, shared with the host-side update's expansion).
        batch.push({ index, values: generateDirection(address, length), key, seed: term.seed });
        batchFloats += length;
      }
    }
    if (batch.length > 0) await flush();
  }

  /** A tensor's direction terms as device terms; its Gaussian directions are on the device already. */
  private deviceTerms(
    index: number,
    terms: readonly EstimateTerm[],
    passOnly: ReadonlyMap<string, Tensor>,
  ): DeviceTerm[] {
    return terms.map((term): DeviceTerm => {
      if (term.kind === 'gaussian') {
        const key = directionKey(term, index);
        const z = this.directions.get(key) ?? passOnly.get(key);
        if (!z) throw new Error(`gpu params: direction ${key} was not uploaded`);
        return { kind: 'scaled', values: z, coef: term.coef };
      }
      if (term.kind === 'low-rank') {
        const { rows, cols, rank, left, right } = term;
        return { kind: 'low-rank', rows, cols, rank, u: left, v: right };
      }
      return { kind: 'scaled', values: term.data, coef: term.coef };
    });
  }

  /** After the rule changed the masters: queue the same change for the device, or mark it stale. */
  private afterHostUpdate(
    params: Params,
    estimate: Estimate,
    lr: number,
    mirrors: (name: string) => boolean,
  ): void {
    if (!this.store) return;
    this.updates++;
    const resync = this.updates % this.resyncEvery === 0;
    const scale = -lr * (estimate.lrScale ?? 1);
    const changes: DeviceChange[] = [];
    params.forEach((p, index) => {
      // Arrays the device does not mirror (another parameter list) are none of its business.
      if (p.data !== this.bound[index]) return;
      const terms = estimate.terms[index] ?? [];
      if (resync || !mirrors(p.name)) {
        this.stale.add(index);
        return;
      }
      if (terms.length === 0 || scale === 0) return;
      const device = this.mirroredTerms(index, terms);
      if (!device) {
        this.stale.add(index);
        return;
      }
      changes.push({ index, terms: device });
      // The host now holds θ − η·ĝ, which the pending update brings the device to.
      this.samples[index] = sampleOf(p.data);
    });
    if (changes.length > 0) this.pending.push({ changes, scale });
    // This step's directions are read by the queued updates at most; later steps draw new ones.
    this.retiring.push(...this.directions.values());
    this.directions.clear();
    this.directionFloats = 0;
  }

  /** The update's terms as device terms when no θ-sized upload is needed, else null (re-upload θ). */
  private mirroredTerms(index: number, terms: readonly EstimateTerm[]): DeviceTerm[] | null {
    const out: DeviceTerm[] = [];
    for (const term of terms) {
      if (term.kind === 'gaussian') {
        const z = this.directions.get(directionKey(term, index));
        if (!z) return null;
        out.push({ kind: 'scaled', values: z, coef: term.coef });
      } else if (term.kind === 'low-rank') {
        // Copied: the update runs later, and an estimator may reuse its factor buffers meanwhile.
        const { rows, cols, rank, left, right } = term;
        out.push({ kind: 'low-rank', rows, cols, rank, u: left.slice(), v: right.slice() });
      } else {
        // Uploading a dense term costs what re-uploading θ costs, and the re-upload is exact.
        return null;
      }
    }
    return out;
  }
}

/** SAMPLED_ENTRIES entries spread evenly over the array. */
function sampleOf(array: Float32Array): Float32Array {
  const count = Math.min(SAMPLED_ENTRIES, array.length);
  const stride = array.length / Math.max(count, 1);
  return Float32Array.from({ length: count }, (_, i) => array[Math.floor(i * stride)] as number);
}

/** Bitwise equal (NaN equals NaN: a diverged tensor is not re-uploaded on every pass for it). */
function sameEntries(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

function directionKey(term: { seed: number; stream: number; sample: number }, tensor: number): string {
  return `${term.seed}:${term.stream}:${tensor}:${term.sample}`;
}
