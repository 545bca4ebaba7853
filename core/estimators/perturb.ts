// Out-of-place perturbation shared by every estimator: θ ± ε·d is written into scratch buffers (one per
// tensor, reused across steps) and handed to the objective, so the fp32 masters never change and no
// "restore" pass exists. Evaluations are counted here, so the forward passes an estimate reports are
// the ones it actually ran.
import { generateDirection } from './direction-cache.ts';
import { writePerturbed } from './expand.ts';
import type { Direction, Evaluation, EvaluateRequest, Objective, Params } from './types.ts';

export type { Direction } from './types.ts';

export class Perturber {
  private scratch: Float32Array[] = [];
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
    if (this.scratch.length !== params.length)
      this.scratch = params.map((p) => new Float32Array(p.data.length));
    params.forEach((p, index) => {
      let buffer = this.scratch[index] as Float32Array;
      if (buffer.length !== p.data.length) this.scratch[index] = buffer = new Float32Array(p.data.length);
      writePerturbed(buffer, p.data, direction[index] ?? [], index, scale);
    });
    return this.objective.evaluate(this.scratch, request);
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
