// The contract between the training loop, the ZO gradient estimators and the update rules.
//
// Parameters are an ordered list of named fp32 tensors (the master copy). The model is reached only
// through an Objective that evaluates the SAME minibatch at given parameter values, out of place: an
// estimator writes θ ± εz into its own scratch buffers and passes those, so the masters are never
// perturbed and "restore" is bit-exact by construction.
//
// A step is: estimator.estimate(ctx) → { estimate, state, forwardPasses, loss }, then
// updateRule.apply(params, estimate, optimizerState, lr) → optimizerState (params mutated in place).
// Estimates stay compact (seeds and scalars, low-rank factors); update rules expand them on the fly
// (core/estimators/expand.ts). All state is plain data (numbers, arrays, Float32Arrays), so a checkpoint
// is { params, estimatorState, optimizerState, step, rng } (encoded by core/train/checkpoint-state.ts).

/** A seed: a non-negative safe integer (53 bits), so it survives JSON and SQLite INTEGER unchanged. */
export type Seed = number;

/** One trainable tensor. `data` is row-major; tensor ids used by the generator are list positions. */
export interface ParamTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** The trainable parameters, in a fixed order (the order is part of the random-direction contract). */
export type Params = readonly ParamTensor[];

/** What an evaluation must return besides the scalar value (PseuZO needs the model outputs). */
export interface EvaluateRequest {
  /** Return o = h(θ), the model outputs before the head (e.g. final hidden states), flattened. */
  outputs?: boolean;
  /** Return e = ∇_o ℓ(o), the gradient of the loss with respect to those outputs. */
  outputGrad?: boolean;
}

export interface Evaluation {
  /**
   * The quantity to minimize on this minibatch: a loss, or a non-differentiable metric such as
   * 1 − accuracy (no gradient is ever taken, so any scalar works).
   */
  value: number;
  outputs?: Float32Array;
  outputGrad?: Float32Array;
}

/** The model on one fixed minibatch. One `evaluate` call is one forward pass, the unit of cost. */
export interface Objective {
  /** `values[p]` holds the parameter values for tensor p (same length as params[p].data). */
  evaluate(values: readonly Float32Array[], request?: EvaluateRequest): Promise<Evaluation>;
  /**
   * Optional fast path, also one forward pass: the value at θ + scale·d with d given compactly. An
   * objective that can apply d without a host-side dense sweep implements it — low-rank terms fed to the
   * graph's low-rank branch inputs, Gaussian terms added on the GPU next to the parameters. Without it
   * the Perturber writes θ + scale·d into scratch buffers and calls `evaluate`. Either way the result
   * must equal `evaluate` at θ + scale·d up to float32 rounding.
   */
  evaluateAt?(
    params: Params,
    direction: Direction,
    scale: number,
    request?: EvaluateRequest,
  ): Promise<Evaluation>;
}

/**
 * One additive piece of a tensor's gradient estimate ĝ_p.
 * - gaussian: coef · z with z = Gauss(seed, stream, tensor p, element i, sample) (regenerated, never stored).
 * - low-rank: left · rightᵀ with left rows×rank and right cols×rank, row-major (tensor viewed as rows×cols).
 * - dense: coef · data, an explicit vector (orthogonal/interpolation directions, SVRG anchors, EMAs).
 */
export type EstimateTerm =
  | { kind: 'gaussian'; seed: Seed; stream: number; sample: number; coef: number }
  | { kind: 'low-rank'; rows: number; cols: number; rank: number; left: Float32Array; right: Float32Array }
  | { kind: 'dense'; data: Float32Array; coef: number };

/** Per-tensor direction terms: direction[p] is d_p (an empty list means d_p = 0). */
export type Direction = readonly (readonly EstimateTerm[])[];

export interface Estimate {
  /** terms[p] sum to ĝ_p, the estimate for tensor p (an empty list means ĝ_p = 0). */
  readonly terms: readonly (readonly EstimateTerm[])[];
  /**
   * The projected-gradient scalar c when ĝ = c · d for a single direction d (MeZO n=1, LOZO, SubZero).
   * Sign-based rules that keep the direction and drop |c| (ZO-Bench's sign(c)·z) need it.
   */
  readonly c?: number;
  /** Multiplier on the learning rate for this step (MeZO-SVRG's large-batch anchor steps). */
  readonly lrScale?: number;
}

export interface EstimateResult<S> {
  estimate: Estimate;
  state: S;
  /** Objective evaluations this step used (counted, not assumed). */
  forwardPasses: number;
  /** The step's loss: the unperturbed value when one was evaluated, else the mean of ±ε values. */
  loss: number;
}

export interface StepContext<S> {
  objective: Objective;
  params: Params;
  state: S;
  /** Global step index t (0-based); refresh schedules (LOZO ν, SubZero T₀, SVRG q) key on it. */
  step: number;
  /** This step's seed, from the run's seed sequence (core/random/seed-sequence.ts). */
  seed: Seed;
  /** A large-batch objective (MeZO-SVRG anchor steps only). */
  anchorObjective?: Objective;
}

/** A gradient estimator with its config bound (built by the registry from a validated config). */
export interface Estimator<S = unknown> {
  readonly id: string;
  /** Upper bound on forward passes per step, for budgeting and the wizard. */
  readonly forwardPassesPerStep: number;
  init(params: Params): S;
  estimate(ctx: StepContext<S>): Promise<EstimateResult<S>>;
}
