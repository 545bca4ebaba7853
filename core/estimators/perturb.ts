// Out-of-place perturbation shared by every estimator: θ ± ε·d is written into scratch buffers (one per
// tensor, reused across steps) and handed to the objective, so the fp32 masters never change and no
// "restore" pass exists. Evaluations are counted here, so the forward passes an estimate reports are
// the ones it actually ran.
import { bookkeepingFloat32 } from '../random/pool/pool.ts';
import { generateDirection } from './direction-cache.ts';
import { writePerturbed } from './expand.ts';
import type { Direction, Evaluation, EvaluateRequest, Objective, Params } from './types.ts';

export type { Direction } from './types.ts';

/**
 * Free scratch buffers by length. Estimators make a Perturber per step, and a full-mode step would
 * otherwise allocate (and zero) a model-sized copy every step. A buffer is taken for one evaluation and
 * returned when it settles, so evaluations that overlap never share one. Large buffers are shared
 * memory, so the θ + s·d sweep into them is split across the bookkeeping pool's workers.
 */
const freeScratch = new Map<number, Float32Array[]>();

function takeScratch(length: number): Float32Array {
  return freeScratch.get(length)?.pop() ?? bookkeepingFloat32(length);
}

function returnScratch(buffers: readonly Float32Array[]): void {
  for (const buffer of buffers) {
    let free = freeScratch.get(buffer.length);
    if (!free) freeScratch.set(buffer.length, (free = []));
    free.push(buffer);
  }
}

export class Perturber {
  /** Objective evaluations run through this perturber since the last `takeForwardPasses`. */
  private evaluations = 0;

  constructor(private readonly objective: Objective) {}

  /** Evaluates the objective at θ + scale·d (scale 0 evaluates θ itself, without copying). */
  async evaluateAt(
    params: Params,
    direction: Direction | null,
    scale: number,
    request?: EvaluateRequest,
  ): Promise<Evaluation> {
    this.evaluations++;
    if (direction === null || scale === 0) {
      return this.objective.evaluate(
        params.map((p) => p.data),
        request,
      );
    }
    if (this.objective.evaluateAt) return this.objective.evaluateAt(params, direction, scale, request);
    const scratch = params.map((p) => takeScratch(p.data.length));
    try {
      params.forEach((p, index) =>
        writePerturbed(scratch[index] as Float32Array, p.data, direction[index] ?? [], index, scale),
      );
      return await this.objective.evaluate(scratch, request);
    } finally {
      returnScratch(scratch);
    }
  }

  /** Central difference along d: c = [f(θ+εd) − f(θ−εd)]/(2ε). Two forward passes. */
  async centralDifference(
    params: Params,
    direction: Direction,
    eps: number,
  ): Promise<{ c: number; loss: number }> {
    warmDirection(direction, params);
    const plus = (await this.evaluateAt(params, direction, eps)).value;
    const minus = (await this.evaluateAt(params, direction, -eps)).value;
    return { c: (plus - minus) / (2 * eps), loss: (plus + minus) / 2 };
  }

  /** Forward passes run since the last call; resets the counter. */
  takeForwardPasses(): number {
    const n = this.evaluations;
    this.evaluations = 0;
    return n;
  }
}

/** Generates the Gaussian terms of d into the direction cache, so ±ε and the update share one draw. */
export function warmDirection(direction: Direction, params: Params): void {
  direction.forEach((terms, tensor) => {
    for (const term of terms) {
      if (term.kind !== 'gaussian') continue;
      const length = params[tensor]?.data.length ?? 0;
      generateDirection({ seed: term.seed, stream: term.stream, tensor, sample: term.sample }, length);
    }
  });
}
