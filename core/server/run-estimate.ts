// The Review step's estimate, measured rather than guessed: it opens the run's real training session
// (model compiled for the chosen device, data encoded), times one forward pass on a real minibatch,
// and reads how much the process grew doing so. Costs one session build, the price of an honest
// "fits / takes about N minutes". The update rule's state is added by count: it is allocated when the
// run's first step starts, after anything measured here.
import { freemem } from 'node:os';
import { ApiError } from '../api/errors.ts';
import type { Response } from '../api/methods.ts';
import { UPDATE_RULES } from '../optim/registry.ts';
import { forwardPassesPerStep } from '../optim/zo-step.ts';
import type { RunConfig } from '../train/config.ts';
import { openTrainingSession } from '../train/session.ts';

/** Headroom kept free for the OS and the UI when judging "fits". */
const headroomBytes = 512 * 1024 * 1024;

/** The update rule's state in bytes: float32 copies of the trainables (momentum: 1, Adam: 2). */
function updateRuleStateBytes(ruleId: string, trainableParameters: number): number {
  const floatsPerParam = UPDATE_RULES.find((rule) => rule.id === ruleId)?.stateFloatsPerParam ?? 0;
  return floatsPerParam * trainableParameters * Float32Array.BYTES_PER_ELEMENT;
}

export async function estimateRun(config: RunConfig): Promise<Response<'training.estimate'>> {
  const rssBefore = process.memoryUsage().rss;
  let session;
  try {
    session = await openTrainingSession(config);
  } catch (error) {
    throw new ApiError('invalid_request', `cannot prepare this run: ${(error as Error).message}`);
  }
  try {
    const rows = Array.from({ length: Math.min(config.batchSize, session.trainRows) }, (_, i) => i);
    const params = session.initialParams();
    const { objective } = session.trainBatch(rows);
    const values = params.map((p) => p.data);
    await objective.evaluate(values); // warm-up: the first run pays one-time kernel setup
    const started = performance.now();
    await objective.evaluate(values);
    const secondsPerForwardPass = (performance.now() - started) / 1000;
    const ruleStateBytes = updateRuleStateBytes(config.optimizer.id, session.trainableParameters);
    const memoryBytes = Math.max(0, process.memoryUsage().rss - rssBefore) + ruleStateBytes;

    const perStep = forwardPassesPerStep(session.estimator, session.updateRule);
    const steps =
      'steps' in config.budget ? config.budget.steps : Math.ceil(config.budget.forwardPasses / perStep);
    const evalBatches = Math.ceil(Math.min(config.eval.rows, session.validationRows) / config.batchSize);
    const evaluations = Math.floor(steps / config.eval.everySteps) + 2; // + baseline and final
    const forwardPasses = steps * perStep + evaluations * evalBatches;
    const availableMemoryBytes = freemem();
    return {
      memoryBytes,
      availableMemoryBytes,
      fits: memoryBytes + headroomBytes < availableMemoryBytes,
      updateRuleStateBytes: ruleStateBytes,
      forwardPasses,
      trainableParameters: session.trainableParameters,
      secondsPerForwardPass,
      estimatedSeconds: forwardPasses * secondsPerForwardPass,
    };
  } finally {
    await session.dispose();
  }
}
