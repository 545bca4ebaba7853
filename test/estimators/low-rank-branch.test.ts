// Full-parameter LOZO / LOZO-M / SubZero through the engine's low-rank branch (core/train/
// low-rank-objective.ts), on the real stories260k (HF Linear, W stored [out, in]) and tiny GPT-2 (Conv1D,
// W stored [in, out]): evaluateAt must equal evaluate at the densely written θ + s·d, training steps
// must retrace the dense path, and the session must look exactly like plain full mode from outside.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePerturbed } from '../../core/estimators/expand.ts';
import { lozoDirection, VFactors } from '../../core/estimators/lozo/factors.ts';
import { createEstimator } from '../../core/estimators/registry.ts';
import { subzeroBases, subzeroDirection } from '../../core/estimators/subzero/subzero.ts';
import { subzeroConfig } from '../../core/estimators/subzero/config.ts';
import type { Direction, EstimateTerm, Objective, Params } from '../../core/estimators/types.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { zoStep, type ZoStepState } from '../../core/optim/zo-step.ts';
import { RunConfigSchema } from '../../core/train/config.ts';
import { DataOrder } from '../../core/train/data-order.ts';
import { LowRankBranch } from '../../core/train/low-rank-objective.ts';
import { openTrainingSession, type TrainingSession } from '../../core/train/session.ts';
import { webgpu } from '../helpers/webgpu.ts';
import { fixtures, openSherlock } from './real-model.ts';

const LOZO = { eps: 1e-3, rank: 2, nu: 2 };
const SUBZERO = { eps: 1e-3, rank: 8, refresh: 2 };
/** A perturbation large enough to move the loss far above float32 noise (|Δloss| ≫ the tolerance). */
const SCALE = 0.05;
/** evaluateAt vs evaluate at the dense θ + s·d: same math, different fp32 summation order. */
const FP32_TOLERANCE = 2e-5;

let plain: TrainingSession;
let lozo: TrainingSession;
let subzero: TrainingSession;
let gpt2: TrainingSession;

beforeAll(async () => {
  [plain, lozo, subzero, gpt2] = await Promise.all([
    openSherlock('full'),
    openSherlock('full', { estimator: 'lozo', settings: LOZO }),
    openSherlock('full', { estimator: 'subzero', settings: SUBZERO }),
    openGpt2Lozo(),
  ]);
});

afterAll(async () => {
  await Promise.all([plain, lozo, subzero, gpt2].map((session) => session?.dispose()));
});

/** tiny-random-gpt2 (Conv1D weights, c_attn [64, 192]) on the same text, full mode, LOZO rank 2. */
function openGpt2Lozo(): Promise<TrainingSession> {
  const sherlock = path.join(fixtures, 'datasets/sherlock');
  return openTrainingSession(
    RunConfigSchema.parse({
      model: path.join(fixtures, 'models/tiny-random-gpt2'),
      data: {
        train: path.join(sherlock, 'train.jsonl'),
        validation: path.join(sherlock, 'validation.jsonl'),
        task: 'lm',
        maxLength: 32,
        trainRows: 32,
      },
      estimator: { id: 'lozo', settings: LOZO },
      peft: { mode: 'full' },
      lr: 1e-4,
      budget: { steps: 1 },
      batchSize: 4,
      eval: { everySteps: 1, rows: 8 },
      seed: 0,
      threads: 1,
    }),
  );
}

function lozoDirectionAt(params: Params, seed: number): Direction {
  return lozoDirection(params, seed, new VFactors().get(params, seed + 1, LOZO.rank), LOZO.rank);
}

function subzeroDirectionAt(params: Params, seed: number): Direction {
  const bases = subzeroBases(params, seed + 1, subzeroConfig.parse(SUBZERO));
  return subzeroDirection(bases, seed, SUBZERO.rank);
}

/** θ + s·d written densely, exactly as the Perturber does without evaluateAt. */
function denseValues(params: Params, direction: Direction, scale: number): Float32Array[] {
  return params.map((p, index) => {
    const out = new Float32Array(p.data.length);
    writePerturbed(out, p.data, direction[index] ?? [], index, scale);
    return out;
  });
}

const LINEAR_WEIGHT = /\.((q|k|v|o|gate|up|down)_proj|c_attn|c_proj|c_fc)\.weight$/;

/** The same direction with left and right swapped on square matrices: U·Vᵀ becomes its transpose. */
function transposed(direction: Direction): Direction {
  return direction.map((terms) =>
    terms.map((term): EstimateTerm =>
      term.kind === 'low-rank' && term.rows === term.cols
        ? { ...term, left: term.right, right: term.left }
        : term,
    ),
  );
}

/** The objective without its fast path: the Perturber writes θ ± ε·d densely (the path before the branch). */
function denseOnly(objective: Objective): Objective {
  return { evaluate: (values, request) => objective.evaluate(values, request) };
}

describe('a full-mode session with a low-rank estimator', () => {
  it('keeps full mode parameters: no branch tensors in trainables or initial params', () => {
    expect(lozo.lowRankBranch?.rank).toBe(LOZO.rank);
    expect(subzero.lowRankBranch?.rank).toBe(SUBZERO.rank);
    expect(plain.lowRankBranch).toBeUndefined();
    expect(lozo.trainables).toEqual(plain.trainables);
    expect(lozo.trainableParameters).toBe(plain.trainableParameters);
    const names = lozo.initialParams().map((p) => p.name);
    expect(names).toEqual(plain.trainables.map((t) => t.name));
    expect(names.some((name) => name.includes('lowrank'))).toBe(false);
  });

  it('validates like plain full mode (zero branches)', async () => {
    const params = plain.initialParams();
    const expected = (await plain.evaluate(params)).loss as number;
    expect((await lozo.evaluate(params)).loss).toBeCloseTo(expected, 5);
    expect((await subzero.evaluate(params)).loss).toBeCloseTo(expected, 5);
  });

  it.skipIf(!webgpu.available)(
    'does not use the branch on WebGPU (θ and U·Vᵀ live on the device)',
    async () => {
      const onDevice = await openSherlock('full', {
        estimator: 'lozo',
        settings: LOZO,
        ep: 'webgpu',
        maxLength: 16,
        validationRows: 4,
        trainRows: 16,
      });
      try {
        expect(onDevice.device).toBe('webgpu');
        expect(onDevice.lowRankBranch).toBeUndefined();
        expect(onDevice.trainables).toEqual(plain.trainables);
      } finally {
        await onDevice.dispose();
      }
    },
  );

  it('does not use the branch for SubZero with the PEFT reshape (a×b views match no stored weight)', async () => {
    const reshaped = await openSherlock('full', {
      estimator: 'subzero',
      settings: { ...SUBZERO, peftReshape: true },
    });
    try {
      expect(reshaped.lowRankBranch).toBeUndefined();
    } finally {
      await reshaped.dispose();
    }
  });
});

describe('LowRankBranch refuses feeds that do not fit the engine', () => {
  const weight = { name: 'w', shape: [4, 3], role: 'weight' as const };
  const u = { name: 'w.lowrank_U', shape: [4, 2], role: 'lowrank_U' as const };
  const v = { name: 'w.lowrank_V', shape: [3, 2], role: 'lowrank_V' as const };

  it('names what is wrong', () => {
    expect(() => new LowRankBranch([weight], 2)).toThrow(/no lowrank_U\/lowrank_V inputs/);
    expect(() => new LowRankBranch([weight, u, v], 3)).toThrow(/"w.lowrank_U" has rank 2, expected 3/);
    expect(() => new LowRankBranch([u, weight, v], 2)).toThrow(/interleave/);
    const branch = new LowRankBranch([weight, u, v], 2);
    expect(() => branch.feedsAtRest([])).toThrow(/got 0 parameter tensors, expected 1/);
  });

  it('feeds a rank-mismatched or transposed-shape term densely, never through the branch', () => {
    const branch = new LowRankBranch([weight, u, v], 2);
    const params = [{ name: 'w', shape: [4, 3], data: new Float32Array(12).fill(1) }];
    const term = (rows: number, cols: number, rank: number): EstimateTerm => ({
      kind: 'low-rank',
      rows,
      cols,
      rank,
      left: new Float32Array(rows * rank).fill(1),
      right: new Float32Array(cols * rank).fill(1),
    });
    const fits = branch.feedsAt(params, [[term(4, 3, 2)]], 0.5);
    expect(fits[0]).toBe(params[0]?.data);
    expect(fits[1]).toEqual(new Float32Array(8).fill(0.5));
    // Rank 1 where the branch has 2; 3×4 where the weight is stored 4×3 (all-ones U·Vᵀ = rank everywhere).
    for (const [other, rank] of [
      [term(4, 3, 1), 1],
      [term(3, 4, 2), 2],
    ] as const) {
      const feeds = branch.feedsAt(params, [[other]], 0.5);
      expect(feeds[0]).not.toBe(params[0]?.data);
      expect(feeds[0]).toEqual(new Float32Array(12).fill(1 + 0.5 * rank));
      expect(feeds[1]).toEqual(new Float32Array(8));
    }
  });
});

describe('evaluateAt equals evaluate at the densely written θ + s·d', () => {
  it.each([
    // stories260k: 5 layers × q, k, v, o, gate, up, down; GPT-2: 2 layers × c_attn, c_proj, c_fc, c_proj.
    ['lozo on stories260k ([out, in] weights)', () => lozo, lozoDirectionAt, 35],
    ['subzero on stories260k (U·Z·Vᵀ as (μ·U·Z, V))', () => subzero, subzeroDirectionAt, 35],
    ['lozo on tiny GPT-2 (Conv1D [in, out] weights)', () => gpt2, lozoDirectionAt, 8],
  ] as const)('%s', async (_name, sessionOf, directionAt, linearWeights) => {
    const session = sessionOf();
    const params = session.initialParams();
    const { objective } = session.trainBatch([0, 1, 2, 3]);
    if (!objective.evaluateAt) throw new Error('the low-rank session objective has no evaluateAt');
    const direction = directionAt(params, 11);
    // Every linear weight rides the branch (fed as θ itself, no dense copy); the rest is written densely.
    const feeds = session.lowRankBranch?.feedsAt(params, direction, SCALE) ?? [];
    const riding = params.filter((p, index) => feeds[index] === p.data).map((p) => p.name);
    expect(riding).toHaveLength(linearWeights);
    for (const name of riding) expect(name).toMatch(LINEAR_WEIGHT);
    const base = (await objective.evaluate(params.map((p) => p.data))).value;
    for (const scale of [SCALE, -SCALE]) {
      const branch = (await objective.evaluateAt(params, direction, scale)).value;
      const dense = (await objective.evaluate(denseValues(params, direction, scale))).value;
      expect(Math.abs(branch - dense)).toBeLessThan(FP32_TOLERANCE);
      // The perturbation is visible far above the tolerance, so a wrong factor could not hide in it.
      expect(Math.abs(dense - base)).toBeGreaterThan(100 * FP32_TOLERANCE);
    }
    // Negative control: a transposed U·Vᵀ (what a V fed in the wrong orientation computes on square
    // weights) lands far from the branch value, so the equality above does pin the orientation.
    const wrong = (await objective.evaluate(denseValues(params, transposed(direction), SCALE))).value;
    const right = (await objective.evaluateAt(params, direction, SCALE)).value;
    expect(Math.abs(wrong - right)).toBeGreaterThan(50 * FP32_TOLERANCE);
    // The masters are read, never written.
    expect(params.map((p) => p.data)).toEqual(session.initialParams().map((p) => p.data));
  });
});

describe('training steps through the branch retrace the dense path', () => {
  /** Step losses of `steps` ZO-SGD steps from the initial params, same seeds and batches. */
  async function stepLosses(
    session: TrainingSession,
    id: string,
    settings: Record<string, unknown>,
    wrap: (objective: Objective) => Objective,
    steps = 4,
  ): Promise<{ losses: number[]; params: Params }> {
    const estimator = createEstimator(id, settings);
    const rule = createUpdateRule('zo-sgd');
    const params: Params = session.initialParams();
    const state: ZoStepState = {
      params,
      estimatorState: estimator.init(params),
      optimizerState: rule.init(params),
    };
    const order = new DataOrder(session.trainRows, 8, 3);
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      const objective = wrap(session.trainBatch(order.batch(step)).objective);
      const { result } = await zoStep(state, { estimator, rule, objective, step, runSeed: 3, lr: 1e-3 });
      losses.push(result.loss);
    }
    return { losses, params };
  }

  // ν = T₀ = 2 over 4 steps: V (LOZO) and the bases (SubZero) are resampled once mid-run, and LOZO-M
  // changes its momentum basis, so the comparison covers the refresh paths too.
  it.each([
    ['lozo', () => lozo, LOZO],
    ['lozo-m', () => lozo, { ...LOZO, beta: 0.9 }],
    ['subzero', () => subzero, SUBZERO],
  ] as const)(
    '%s: same step losses and parameters as the dense perturbation',
    async (id, sessionOf, settings) => {
      const session = sessionOf();
      const branch = await stepLosses(session, id, settings, (objective) => objective);
      const dense = await stepLosses(session, id, settings, denseOnly);
      // c = Δloss/2ε amplifies fp32 noise by 1/(2ε) = 500, so parameters agree to ~1e-6 and losses to ~1e-5.
      branch.losses.forEach((loss, i) =>
        expect(Math.abs(loss - (dense.losses[i] as number))).toBeLessThan(1e-5),
      );
      branch.params.forEach((p, index) => {
        const other = dense.params[index]?.data as Float32Array;
        let worst = 0;
        for (let i = 0; i < p.data.length; i++)
          worst = Math.max(worst, Math.abs((p.data[i] as number) - (other[i] as number)));
        expect(worst, p.name).toBeLessThan(1e-5);
      });
      // The steps did move the model (lr 1e-3), so equal parameters are not equal-because-unchanged.
      const start = session.initialParams();
      const moved = branch.params.some((p, index) => p.data.some((v, i) => v !== start[index]?.data[i]));
      expect(moved).toBe(true);
    },
  );
});
