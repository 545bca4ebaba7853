// `npm run bench -- webgpu-params [--modes lora,full] [--estimator mezo|lozo|…] [--steps S] [--rounds R]
//    [--max-length T] [--batch B]`
//
// Training on the WebGPU parameter store (core/train/gpu-params.ts) against the host-fed path it
// replaced, on stories260k + sherlock through the training session: the same session, the same
// steps, once with the objective's `evaluateAt` (θ on the device, perturbed and updated there) and once
// without it (the Perturber writes θ ± εd on the host and every pass feeds every trainable). Rounds
// alternate the two so machine load hits both alike. Prints the median step time of each, their ratio,
// and the host → device bytes per step each moved (the store's counter; host-fed bytes = what the
// passes fed ORT from host arrays), with the load average. On this VM WebGPU is Mesa's software Vulkan,
// so absolute times say little about a real GPU; the bytes are what a real GPU's bus would carry.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createEstimator } from '../../core/estimators/registry.ts';
import type { Objective } from '../../core/estimators/types.ts';
import { zoStep } from '../../core/optim/zo-step.ts';
import { DataOrder } from '../../core/train/data-order.ts';
import type { TrainingSession } from '../../core/train/session.ts';
import { openSherlock, SHERLOCK_CASES, type PeftMode } from '../../test/estimators/real-model.ts';

const { values: args } = parseArgs({
  options: {
    modes: { type: 'string', default: 'lora,full' },
    estimator: { type: 'string', default: 'mezo' },
    steps: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '2' },
    'max-length': { type: 'string', default: '64' },
    batch: { type: 'string', default: '16' },
  },
});
const steps = Number(args.steps);
const rounds = Number(args.rounds);
const shape = { maxLength: Number(args['max-length']), batchSize: Number(args.batch), validationRows: 4 };

type Variant = 'device' | 'host-fed';

interface Measured {
  stepMs: number[];
  bytesPerStep: number[];
}

/** `steps` steps from the initial parameters; the first is warm-up (it also uploads θ once). */
async function run(
  session: TrainingSession,
  mode: PeftMode,
  variant: Variant,
  into: Measured,
): Promise<void> {
  const row = SHERLOCK_CASES[mode].find((r) => r.id === args.estimator);
  if (!row) throw new Error(`no ${args.estimator} case for ${mode} in SHERLOCK_CASES`);
  const estimator = createEstimator(row.id, row.settings);
  const rule = session.updateRule;
  const params = session.initialParams();
  const state = { params, estimatorState: estimator.init(params), optimizerState: rule.init(params) };
  const order = new DataOrder(session.trainRows, shape.batchSize, 1);
  const moved = () => {
    const t = session.deviceTraffic?.();
    return t ? t.uploadedBytes + t.hostFedBytes : 0;
  };
  for (let step = 0; step < steps; step++) {
    const { objective } = session.trainBatch(order.batch(step));
    // Without evaluateAt the Perturber takes the host path: scratch buffers, fed from the host.
    const used: Objective = variant === 'device' ? objective : { evaluate: objective.evaluate };
    const [bytes, start] = [moved(), performance.now()];
    await zoStep(state, { estimator, rule, objective: used, step, runSeed: 1, lr: row.lr });
    if (step === 0) continue;
    into.stepMs.push(performance.now() - start);
    into.bytesPerStep.push(moved() - bytes);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

console.log(
  `\n### ${args.estimator} on webgpu: θ on the device vs host-fed (stories260k, ${shape.batchSize}×${shape.maxLength}, ` +
    `${steps - 1} timed steps × ${rounds} rounds)\n`,
);
console.log(
  '| mode | trainable | device ms/step | host-fed ms/step | ratio | device bytes/step | host-fed bytes/step | load |',
);
console.log('| --- | --: | --: | --: | --: | --: | --: | --: |');
for (const mode of args.modes.split(',') as PeftMode[]) {
  const session = await openSherlock(mode, { ...shape, ep: 'webgpu', estimator: args.estimator });
  try {
    if (!session.deviceTraffic)
      throw new Error(`${mode} ${args.estimator}: the session does not keep θ on the device`);
    const results: Record<Variant, Measured> = {
      device: { stepMs: [], bytesPerStep: [] },
      'host-fed': { stepMs: [], bytesPerStep: [] },
    };
    for (let round = 0; round < rounds; round++)
      for (const variant of ['device', 'host-fed'] as const)
        await run(session, mode, variant, results[variant]);
    const [device, hostFed] = [results.device, results['host-fed']];
    console.log(
      `| ${mode} | ${session.trainableParameters} | ${median(device.stepMs).toFixed(0)} | ${median(hostFed.stepMs).toFixed(0)} | ` +
        `${(median(device.stepMs) / median(hostFed.stepMs)).toFixed(3)} | ${median(device.bytesPerStep)} | ` +
        `${median(hostFed.bytesPerStep)} | ${loadavg()[0]?.toFixed(1)} |`,
    );
  } finally {
    await session.dispose();
  }
}
