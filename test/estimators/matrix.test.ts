// One matrix over every estimator (PEFT's TEST_CASES habit): each reports exactly the forward passes it
// ran, never touches θ while estimating, repeats bit-identically for a seed, reduces a quadratic with
// zo-sgd, and continues the exact same trajectory after a JSON checkpoint round trip.
import { describe, expect, it } from 'vitest';
import { clearDirectionCache } from '../../core/estimators/direction-cache.ts';
import { createEstimator } from '../../core/estimators/registry.ts';
import type { Params } from '../../core/estimators/types.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { decodeState, encodeState } from '../../core/train/checkpoint-state.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';
import { runSteps, startRun, type RunState } from './harness.ts';
import { flatten, linearModel, makeParams } from './objectives.ts';

const CASES: { id: string; settings: Record<string, unknown>; lr: number }[] = [
  { id: 'mezo', settings: {}, lr: 0.02 },
  { id: 'mezo', settings: { directions: 3 }, lr: 0.05 },
  { id: 'orthogonal', settings: { directions: 4 }, lr: 0.05 },
  { id: 'orthogonal', settings: { directions: 4, sampling: 'gaussian', difference: 'forward' }, lr: 0.05 },
  { id: 'interpolation', settings: { directions: 6 }, lr: 0.3 },
  { id: 'lozo', settings: { rank: 2, nu: 3 }, lr: 0.02 },
  { id: 'lozo-m', settings: { rank: 2, nu: 3 }, lr: 0.02 },
  { id: 'subzero', settings: { rank: 2, refresh: 3 }, lr: 0.02 },
  { id: 'pseuzo', settings: { window: 4 }, lr: 0.005 },
  { id: 'mezo-svrg', settings: { q: 3, anchor: 'minibatch' }, lr: 0.02 },
];

const model = () => linearModel(6, 5, 16, 1);
const initial = (): Params => makeParams(model().shapes, (i) => Math.sin(3 * i) * 0.5);

/** The checkpoint's own encoding (core/train/checkpoint-state.ts): JSON plus copied fp32 tensors. */
interface Snapshot {
  json: string;
  arrays: Map<string, Float32Array>;
}

function snapshot(run: RunState): Snapshot {
  const encoded = encodeState(
    {
      params: run.params.map((p) => p.data),
      estimatorState: run.estimatorState,
      optimizerState: run.optimizerState,
      step: run.step,
    },
    'state/',
    'state',
  );
  return {
    json: JSON.stringify(encoded.json),
    arrays: new Map(encoded.arrays.map((a) => [a.name, Float32Array.from(a.data)])),
  };
}

function restore(saved: Snapshot, template: Params): RunState {
  const decoded = decodeState(JSON.parse(saved.json), saved.arrays, 'state') as {
    params: Float32Array[];
    estimatorState: unknown;
    optimizerState: unknown;
    step: number;
  };
  return {
    params: template.map((p, i) => ({ ...p, data: decoded.params[i] as Float32Array })),
    estimatorState: decoded.estimatorState,
    optimizerState: decoded.optimizerState,
    step: decoded.step,
  };
}

describe.each(CASES)('estimator $id $settings', ({ id, settings, lr }) => {
  it('reports exactly the forward passes it ran and leaves θ untouched', async () => {
    const estimator = createEstimator(id, settings);
    const { objective } = model();
    const params = initial();
    let state = estimator.init(params);
    for (let step = 0; step < 4; step++) {
      const before = flatten(params.map((p) => p.data));
      const callsBefore = objective.calls;
      const result = await estimator.estimate({ objective, params, state, step, seed: stepSeed(3, step) });
      expect(result.forwardPasses).toBe(objective.calls - callsBefore);
      expect(result.forwardPasses).toBeLessThanOrEqual(estimator.forwardPassesPerStep);
      expect(result.forwardPasses).toBeGreaterThan(0);
      expect(Number.isFinite(result.loss)).toBe(true);
      expect(flatten(params.map((p) => p.data))).toEqual(before);
      state = result.state;
    }
  });

  it('repeats a run bit-identically for the same seed', async () => {
    const trajectory = async () => {
      clearDirectionCache();
      const estimator = createEstimator(id, settings);
      const rule = createUpdateRule('zo-sgd');
      const run = startRun(estimator, rule, initial());
      await runSteps(estimator, rule, run, model().objective, 7, lr);
      return flatten(run.params.map((p) => p.data));
    };
    expect(await trajectory()).toEqual(await trajectory());
  });

  it('reduces a quadratic', async () => {
    const estimator = createEstimator(id, settings);
    const rule = createUpdateRule('zo-sgd');
    const { objective, value } = model();
    const run = startRun(estimator, rule, initial());
    const start = value(flatten(run.params.map((p) => p.data)));
    await runSteps(estimator, rule, run, objective, 300, lr);
    const end = value(flatten(run.params.map((p) => p.data)));
    // The minimum of this least-squares problem is well above 0; halving the excess is a clear descent.
    expect(end).toBeLessThan(0.6 * start);
  });

  it('continues the same trajectory after a JSON checkpoint round trip', async () => {
    const rule = createUpdateRule('zo-adam');
    const estimator = createEstimator(id, settings);
    const run = startRun(estimator, rule, initial());
    await runSteps(estimator, rule, run, model().objective, 4, lr / 10);
    const saved = snapshot(run);
    await runSteps(estimator, rule, run, model().objective, 5, lr / 10);
    const uninterrupted = flatten(run.params.map((p) => p.data));

    clearDirectionCache();
    const resumedEstimator = createEstimator(id, settings);
    const resumed = restore(saved, initial());
    await runSteps(resumedEstimator, createUpdateRule('zo-adam'), resumed, model().objective, 5, lr / 10);
    expect(flatten(resumed.params.map((p) => p.data))).toEqual(uninterrupted);
  });
});
