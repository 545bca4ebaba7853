// The same ZO steps on the WebGPU EP as on cpu, through the training session (its objectives and its
// update rule, as the loop uses them). On webgpu θ stays on the device for the run
// (core/train/gpu-params.ts): perturbed on the device, updated there by mirroring ZO-SGD. With the same
// seeds the per-step losses agree with cpu, and so do the final parameters. The directions come from the
// counter-based generator on the CPU either way, so only the engine's arithmetic differs (forward parity
// is 1e-4, test/parity); through c = Δloss/2ε and the update this grows a little, hence 3e-4 on losses.
// Software Vulkan on this machine: a few short steps only.
//
// Traffic: a host-fed pass uploads every trainable (ORT copies CPU feeds), so the plain path moves
// passes × |θ| × 4 bytes per step; the device path moves what the store counts (z once per step for
// MeZO, the U and V factors for LOZO, scalars).
import { afterAll, describe, expect, it } from 'vitest';
import { createEstimator } from '../../core/estimators/registry.ts';
import type { Params } from '../../core/estimators/types.ts';
import { matrixShape } from '../../core/estimators/shapes.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { zoStep } from '../../core/optim/zo-step.ts';
import { webgpu } from '../helpers/webgpu.ts';
import { DataOrder } from '../../core/train/data-order.ts';
import type { TrainingSession } from '../../core/train/session.ts';
import { openSherlock, type PeftMode } from './real-model.ts';

const SHAPE = { maxLength: 16, batchSize: 4, validationRows: 4, trainRows: 32 };
const RUN_SEED = 3;

interface Trace {
  losses: number[];
  /** The master parameters after the steps. */
  masters: Params;
  params: Float32Array[];
  /** Host → device bytes per step after the first (which also uploads θ once). */
  uploadedPerStep: number[];
  /** Whether each step's update reached the parameters (ZO-SGD-Cons may keep θ). */
  updated: boolean[];
  /** Device tensors held after each step. */
  liveAfterStep: number[];
}

async function train(session: TrainingSession, { id, settings, steps, lr, bareRule }: Case): Promise<Trace> {
  const estimator = createEstimator(id, settings);
  // A bare rule from the registry updates the masters behind the device copy's back.
  const rule = bareRule ? createUpdateRule(session.updateRule.id) : session.updateRule;
  const params = session.initialParams();
  const state = { params, estimatorState: estimator.init(params), optimizerState: rule.init(params) };
  const order = new DataOrder(session.trainRows, SHAPE.batchSize, RUN_SEED);
  const trace: Trace = {
    losses: [],
    masters: params,
    params: [],
    uploadedPerStep: [],
    liveAfterStep: [],
    updated: [],
  };
  for (let step = 0; step < steps; step++) {
    const before = session.deviceTraffic?.();
    const { objective } = session.trainBatch(order.batch(step));
    const outcome = await zoStep(state, { estimator, rule, objective, step, runSeed: RUN_SEED, lr });
    trace.losses.push(outcome.result.loss);
    trace.updated.push(outcome.applied && outcome.appliedLr !== 0);
    const traffic = session.deviceTraffic?.();
    if (traffic && before) {
      // No pass fell back to host feeds.
      expect(traffic.hostFedBytes).toBe(before.hostFedBytes);
      if (step > 0) trace.uploadedPerStep.push(traffic.uploadedBytes - before.uploadedBytes);
      trace.liveAfterStep.push(traffic.liveTensors);
    }
  }
  trace.params = params.map((p) => p.data);
  if (session.deviceTraffic)
    await expectDeviceEqualsHost(
      session,
      params.map((p) => p.data),
    );
  return trace;
}

/** The device copy equals the host masters: a pass fed from it = a pass fed copies of the masters. */
async function expectDeviceEqualsHost(session: TrainingSession, masters: Float32Array[]): Promise<void> {
  const { objective } = session.trainBatch(new DataOrder(session.trainRows, SHAPE.batchSize, 9).batch(0));
  const fromDevice = (await objective.evaluate(masters)).value;
  const fedBefore = session.deviceTraffic?.().hostFedBytes ?? 0;
  const fromHost = (await objective.evaluate(masters.map((m) => m.slice()))).value;
  expect(session.deviceTraffic?.().hostFedBytes).toBeGreaterThan(fedBefore);
  expect(Math.abs(fromDevice - fromHost)).toBeLessThan(2e-6);
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, t) => x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (b[t]?.[i] as number))))));
  return worst;
}

interface Case {
  mode: PeftMode;
  id: string;
  settings: Record<string, unknown>;
  steps: number;
  lr: number;
  optimizer: string;
  bareRule?: boolean;
  /** How the device copy follows the update (shown in the test name). */
  note: string;
}

const CASES: Case[] = [
  {
    mode: 'lora',
    id: 'mezo',
    settings: { eps: 1e-2 },
    steps: 4,
    lr: 1e-3,
    optimizer: 'zo-sgd',
    note: 'mirrored',
  },
  {
    mode: 'lora',
    id: 'lozo',
    settings: { eps: 1e-2, rank: 2, nu: 2 },
    steps: 2,
    lr: 1e-3,
    optimizer: 'zo-sgd',
    note: 'mirrored',
  },
  {
    mode: 'full',
    id: 'mezo',
    settings: { eps: 1e-3 },
    steps: 3,
    lr: 1e-4,
    optimizer: 'zo-sgd',
    note: 'mirrored',
  },
  // Not mirrored on the device: every tensor Adam changed is re-uploaded.
  {
    mode: 'lora',
    id: 'mezo',
    settings: { eps: 1e-2 },
    steps: 2,
    lr: 1e-3,
    optimizer: 'zo-adam',
    note: 're-uploaded',
  },
  // ZO-SGD-Cons: three more passes at θ, θ ∓ ηĝ, riding the same z; the update it keeps is mirrored.
  {
    mode: 'lora',
    id: 'mezo',
    settings: { eps: 1e-2 },
    steps: 3,
    lr: 1e-3,
    optimizer: 'zo-sgd-cons',
    note: 'mirrored',
  },
  // Bypassing the session's rule: the sampled check notices and re-uploads.
  {
    mode: 'lora',
    id: 'mezo',
    settings: { eps: 1e-2 },
    steps: 2,
    lr: 1e-3,
    optimizer: 'zo-sgd',
    bareRule: true,
    note: 'bare rule, caught by the sampled check',
  },
];

/**
 * Host → device bytes a step of `c` moves from the device store (steps after the first), including
 * the previous step's update, which runs before this step's first pass (`updated`: it had one).
 */
function expectedUploadPerStep(
  c: Case,
  trainables: readonly { shape: readonly number[] }[],
  updated: boolean,
): number {
  const tensors = trainables.length;
  const paramBytes = trainables.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (c.id === 'lozo') {
    // U and V (rank r) for each matrix, and a scalar, for each of +ε, −ε and the mirrored update.
    const perPass = trainables.reduce((sum, t) => {
      const view = matrixShape(t.shape) as { rows: number; cols: number };
      return sum + (view.rows + view.cols) * (c.settings.rank as number) * 4 + 4;
    }, 0);
    return 3 * perPass;
  }
  // z once per step and a scalar per tensor for each of +ε and −ε (Cons: and θ ∓ ηĝ; θ needs none);
  // then the update: mirrored (one scalar per tensor) or every tensor re-uploaded.
  const mirrored = c.optimizer !== 'zo-adam' && !c.bareRule;
  const update = !updated ? 0 : mirrored ? 4 * tensors : paramBytes;
  const perturbedPasses = c.optimizer === 'zo-sgd-cons' ? 4 : 2;
  return paramBytes + perturbedPasses * 4 * tensors + update;
}

describe.skipIf(!webgpu.available)('ZO steps on webgpu match cpu (stories260k, θ on the device)', () => {
  const sessions = new Map<string, TrainingSession>();
  async function sessionFor(ep: 'cpu' | 'webgpu', mode: PeftMode, optimizer: string) {
    const key = `${ep}:${mode}:${optimizer}`;
    let session = sessions.get(key);
    if (!session) sessions.set(key, (session = await openSherlock(mode, { ...SHAPE, ep, optimizer })));
    return session;
  }
  afterAll(async () => {
    for (const session of sessions.values()) await session.dispose();
  });

  it.each(CASES)(
    '$mode $id, $optimizer ($note), $steps steps: same losses and parameters as cpu',
    async (c) => {
      const cpu = await sessionFor('cpu', c.mode, c.optimizer);
      const gpu = await sessionFor('webgpu', c.mode, c.optimizer);
      expect(gpu.device).toBe('webgpu');
      const expected = await train(cpu, c);
      const actual = await train(gpu, c);
      for (let i = 0; i < expected.losses.length; i++)
        expect(Math.abs((actual.losses[i] as number) - (expected.losses[i] as number))).toBeLessThan(3e-4);
      // The steps did move the model: later losses differ from the first.
      expect(new Set(expected.losses.map((l) => l.toFixed(6))).size).toBeGreaterThan(1);
      const moved = maxDifference(
        expected.params,
        cpu.initialParams().map((p) => p.data),
      );
      const parameterGap = maxDifference(actual.params, expected.params);
      expect(parameterGap).toBeLessThan(Math.max(1e-6, 0.02 * moved));

      // Device memory: the same tensors held after every step (θ, plus this step's z kept for the update).
      expect(new Set(actual.liveAfterStep).size).toBe(1);
      const tensors = gpu.trainables.length;
      expect(actual.liveAfterStep[0]).toBe(c.id === 'mezo' ? 2 * tensors : tensors);

      const paramBytes = actual.params.reduce((sum, p) => sum + p.byteLength, 0);
      const hostFedPerStep = 2 * paramBytes; // two forward passes per step, every trainable fed
      const perStep = actual.uploadedPerStep;
      expect(perStep).toHaveLength(c.steps - 1);
      perStep.forEach((bytes, k) =>
        expect(bytes).toBe(expectedUploadPerStep(c, gpu.trainables, actual.updated[k] as boolean)),
      );

      // Validation at the masters is fed from the device copy, and agrees with cpu.
      const fedBefore = gpu.deviceTraffic?.().hostFedBytes;
      const validation = {
        cpu: await cpu.evaluate(expected.masters),
        gpu: await gpu.evaluate(actual.masters),
      };
      expect(gpu.deviceTraffic?.().hostFedBytes).toBe(fedBefore);
      expect(Math.abs((validation.gpu.loss as number) - (validation.cpu.loss as number))).toBeLessThan(3e-4);
      console.log(
        `${c.mode} ${c.id} ${c.optimizer}${c.bareRule ? ' (bare rule)' : ''}: host→device bytes per step ` +
          `${hostFedPerStep} fed from host, ${perStep.join('/')} from the device store; ` +
          `parameter gap to cpu ${parameterGap.toExponential(2)} (moved ${moved.toExponential(2)})`,
      );
    },
  );
});
