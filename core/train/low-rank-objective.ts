// Full-parameter training with a low-rank estimator (LOZO, LOZO-M, SubZero) on the graph's low-rank
// branch (core/peft/plan.ts kind 'lowrank', core/graph/blocks/linear.ts): every linear weight W gets two
// extra graph inputs U [rows, r], V [cols, r] and the graph computes x·(W + U·Vᵀ) without forming U·Vᵀ.
// A perturbation θ + s·left·rightᵀ is then fed as W = θ itself (no copy) plus the branch (s·left, right):
// O((rows + cols)·r) host work per matrix instead of a dense rows×cols sweep. Tensors without a matching
// branch (1-D, embeddings, Gaussian or multi-term directions) are still written densely (expand.ts).
//
// The branch inputs are NOT parameters: the session's trainables, params, checkpoints and exports are
// exactly full mode's. Every forward pass with the session's params feeds zero branches.
import { writePerturbed } from '../estimators/expand.ts';
import type { Direction, EstimateTerm, Objective, Params } from '../estimators/types.ts';
import { bookkeepingFloat32 } from '../random/pool/pool.ts';
import type { TrainableInfo } from '../runtime/engine.ts';

const U_SUFFIX = '.lowrank_U';
const V_SUFFIX = '.lowrank_V';

/** One linear weight's branch: its parameter index and the engine feed positions of U and V. */
interface BranchSlot {
  rows: number;
  cols: number;
  u: number;
  v: number;
}

export class LowRankBranch {
  /** The parameters (full mode's trainables): the engine's trainables before the branch inputs. */
  readonly params: readonly TrainableInfo[];
  /** Per parameter: its branch, or undefined (not a linear weight). */
  private readonly slots: (BranchSlot | undefined)[];
  /** The branch feeds at rest: zeros, allocated once and never written. */
  private readonly zeros: Float32Array[];
  /** Per parameter: the reused buffer for s·left (branch tensors) or θ + s·d (dense fallback). */
  private readonly scratch: (Float32Array | undefined)[];

  constructor(
    engineTrainables: readonly TrainableInfo[],
    readonly rank: number,
  ) {
    const isBranch = (t: TrainableInfo) => t.role === 'lowrank_U' || t.role === 'lowrank_V';
    const count = engineTrainables.findIndex(isBranch);
    if (count < 0) throw new Error('low-rank branch: the engine has no lowrank_U/lowrank_V inputs');
    // planPeft lists every weight before the branch inputs; feeds rely on that order.
    if (!engineTrainables.slice(count).every(isBranch)) {
      throw new Error('low-rank branch: engine trainables interleave parameters and branch inputs');
    }
    this.params = engineTrainables.slice(0, count);
    const byName = new Map(this.params.map((t, index) => [t.name, index]));
    const position = new Map(engineTrainables.map((t, index) => [t.name, index]));
    this.slots = this.params.map(() => undefined);
    this.zeros = [];
    for (let index = count; index < engineTrainables.length; index++) {
      const input = engineTrainables[index] as TrainableInfo;
      this.zeros.push(new Float32Array(input.shape.reduce((a, b) => a * b, 1)));
      if (input.role !== 'lowrank_U') continue;
      const weight = input.name.slice(0, -U_SUFFIX.length);
      const param = byName.get(weight);
      const v = position.get(weight + V_SUFFIX);
      const [rows, branchRank] = input.shape;
      const shape = param === undefined ? undefined : this.params[param]?.shape;
      if (param === undefined || v === undefined || shape?.length !== 2 || shape[0] !== rows) {
        throw new Error(
          `low-rank branch: "${input.name}" has no matching weight [${rows}, …] and ${V_SUFFIX}`,
        );
      }
      if (branchRank !== rank)
        throw new Error(`low-rank branch: "${input.name}" has rank ${branchRank}, expected ${rank}`);
      this.slots[param] = { rows: rows as number, cols: shape[1] as number, u: index, v };
    }
    this.scratch = this.params.map(() => undefined);
  }

  /** The engine's feeds for parameter values `values`: the values themselves, then zero branches. */
  feedsAtRest(values: readonly Float32Array[]): Float32Array[] {
    this.checkCount(values.length);
    return [...values, ...this.zeros];
  }

  /** The engine's feeds for θ + scale·d: branches where d_p is one matching low-rank term, else dense. */
  feedsAt(params: Params, direction: Direction, scale: number): Float32Array[] {
    this.checkCount(params.length);
    const feeds = [...params.map((p) => p.data), ...this.zeros];
    params.forEach((p, index) => {
      const terms = direction[index] ?? [];
      if (terms.length === 0) return;
      const slot = this.slots[index];
      const only = terms.length === 1 ? terms[0] : undefined;
      if (slot && only && this.fitsBranch(only, slot)) {
        const left = only.left;
        const u = this.buffer(index, left.length);
        for (let i = 0; i < left.length; i++) u[i] = scale * (left[i] as number);
        feeds[slot.u] = u;
        feeds[slot.v] = only.right;
      } else {
        const out = this.buffer(index, p.data.length);
        writePerturbed(out, p.data, terms, index, scale);
        feeds[index] = out;
      }
    });
    return feeds;
  }

  /**
   * `forward` (an objective over the engine's feeds) as an objective over the parameters: `evaluate`
   * at rest, `evaluateAt` through the branch. Requests (PseuZO's outputs) pass through unchanged.
   */
  objective(forward: Objective): Objective {
    return {
      evaluate: (values, request) => forward.evaluate(this.feedsAtRest(values), request),
      evaluateAt: (params, direction, scale, request) =>
        forward.evaluate(this.feedsAt(params, direction, scale), request),
    };
  }

  /**
   * A term rides the branch when it is rank-r and in the weight's stored orientation: the graph adds
   * x·(U·Vᵀ) for W stored rows×cols ([out, in] for HF Linear, [in, out] for GPT-2's Conv1D), and
   * matrixShape views a 2-D tensor in that same stored order, so left ↦ U and right ↦ V.
   */
  private fitsBranch(
    term: EstimateTerm,
    slot: BranchSlot,
  ): term is Extract<EstimateTerm, { kind: 'low-rank' }> {
    return (
      term.kind === 'low-rank' &&
      term.rank === this.rank &&
      term.rows === slot.rows &&
      term.cols === slot.cols
    );
  }

  private buffer(index: number, length: number): Float32Array {
    let buffer = this.scratch[index];
    // One buffer per parameter, sized for whichever use it has (a tensor's d keeps one form per run).
    // Bookkeeping memory, as the Perturber's scratch: a large dense fallback (the embedding) then
    // has its θ + s·d sweep split across the pool.
    if (buffer?.length !== length) this.scratch[index] = buffer = bookkeepingFloat32(length);
    return buffer;
  }

  private checkCount(count: number): void {
    if (count !== this.params.length) {
      throw new Error(`low-rank branch: got ${count} parameter tensors, expected ${this.params.length}`);
    }
  }
}
