// The same ZO steps on the WebGPU EP as on cpu: with the same seeds, the per-step losses agree. The
// directions come from the counter-based generator on the CPU either way, so only the engine's
// arithmetic differs (forward parity is 1e-4, test/parity); through c = Δloss/2ε and the update this
// grows a little, hence 3e-4 here. Software Vulkan on this machine: a few short steps only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstimator } from '../../core/estimators/registry.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';
import { webgpu } from '../helpers/webgpu.ts';
import { DataOrder } from '../../core/train/data-order.ts';
import type { TrainingSession } from '../../core/train/session.ts';
import { openSherlock } from './real-model.ts';

const SHAPE = { maxLength: 16, batchSize: 4, validationRows: 4, trainRows: 32 };

async function stepLosses(
  session: TrainingSession,
  id: string,
  settings: Record<string, unknown>,
): Promise<number[]> {
  const estimator = createEstimator(id, settings);
  const rule = createUpdateRule('zo-sgd');
  const params = session.initialParams();
  const order = new DataOrder(session.trainRows, SHAPE.batchSize, 3);
  let state = estimator.init(params);
  let optimizerState = rule.init(params);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const { objective } = session.trainBatch(order.batch(step));
    const result = await estimator.estimate({ objective, params, state, step, seed: stepSeed(3, step) });
    state = result.state;
    optimizerState = rule.apply(params, result.estimate, optimizerState, 1e-3);
    losses.push(result.loss);
  }
  return losses;
}

describe.skipIf(!webgpu.available)('ZO steps on webgpu match cpu (stories260k, LoRA)', () => {
  let cpu: TrainingSession;
  let gpu: TrainingSession;
  beforeAll(async () => {
    cpu = await openSherlock('lora', SHAPE);
    gpu = await openSherlock('lora', { ...SHAPE, ep: 'webgpu' });
  });
  afterAll(async () => {
    await cpu.dispose();
    await gpu.dispose();
  });

  it.each([
    ['mezo', { eps: 1e-2 }],
    ['lozo', { eps: 1e-2, rank: 2, nu: 2 }],
  ] as const)('%s: same seeds, same losses within 3e-4', async (id, settings) => {
    expect(gpu.device).toBe('webgpu');
    const expected = await stepLosses(cpu, id, settings);
    const actual = await stepLosses(gpu, id, settings);
    for (let i = 0; i < expected.length; i++)
      expect(Math.abs((actual[i] as number) - (expected[i] as number))).toBeLessThan(3e-4);
    // The steps did move the model: later losses differ from the first.
    expect(new Set(expected.map((l) => l.toFixed(6))).size).toBeGreaterThan(1);
  });
});
