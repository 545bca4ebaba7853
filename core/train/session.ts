// A TrainingSession binds one run config to the machinery the loop drives: the model compiled into
// an Engine, the encoded train/validation examples, the estimator and update rule from their
// registries, minibatch objectives and validation. The loop sees only this interface.
import type { RunConfig } from './config.ts';
import { batchLossOutputGrad } from './loss-output-grad.ts';
import { adapterStartParams } from './init-adapter.ts';
import { GpuTrainingParams, type DeviceTraffic } from './gpu-params.ts';
import { LowRankBranch } from './low-rank-objective.ts';
import { peftPlanConfig } from './peft-settings.ts';
import { loadTrainingData } from './training-data.ts';
import { batchesOf, makeBatch, type TokenBatch } from '../data/batches.ts';
import { batchLoss, predictions } from '../data/example-loss.ts';
import { evaluate } from '../eval/evaluate.ts';
import type { EncodedExample } from '../data/encode.ts';
import { seededPermutation } from '../data/k-shot.ts';
import type {
  Direction,
  Estimator,
  EvaluateRequest,
  Evaluation,
  Objective,
  ParamTensor,
  Params,
} from '../estimators/types.ts';
import { createEstimator } from '../estimators/registry.ts';
import { perturbationRankOf } from '../estimators/shapes.ts';
import { loadModel } from '../models/load.ts';
import { loadTokenizer } from '../models/tokenizer.ts';
import { createUpdateRule } from '../optim/registry.ts';
import type { UpdateRule } from '../optim/types.ts';
import { resolveEp } from '../runtime/backend.ts';
import { Engine, type Batch, type ForwardOutput } from '../runtime/engine.ts';

export interface MinibatchObjective {
  objective: Objective;
  /** Real (non-padding) tokens in the batch: one forward pass processes this many. */
  tokens: number;
}

export interface TrainingSession {
  device: string;
  deviceNote?: string;
  trainables: readonly { name: string; shape: readonly number[] }[];
  trainableParameters: number;
  trainRows: number;
  validationRows: number;
  /** Things the user should know about the data (held-out rows, skipped or truncated rows). */
  notes: string[];
  estimator: Estimator<unknown>;
  updateRule: UpdateRule<unknown>;
  initialParams(): ParamTensor[];
  /** The objective on the training examples at `rows` (indices into the training set). */
  trainBatch(rows: readonly number[]): MinibatchObjective;
  /**
   * The objective on a fixed large batch (up to LARGE_BATCH_FACTOR × batch size rows, a seeded random
   * subset), evaluated in minibatch-sized chunks: MeZO-SVRG's anchor gradient.
   */
  largeBatch: Objective;
  /**
   * Set when full-parameter training perturbs through the graph's low-rank branch (LOZO, LOZO-M,
   * SubZero): wraps an objective over the engine's feeds into one over the parameters (benchmarks use
   * it to time the same host-side work against a constant objective).
   */
  lowRankBranch?: LowRankBranch;
  /** WebGPU: host → device traffic of the device-resident parameters (core/train/gpu-params.ts). */
  deviceTraffic?(): DeviceTraffic;
  /** Validation metrics at `params`: `loss` always, plus the task's own (accuracy, F1, perplexity…). */
  evaluate(params: Params): Promise<Record<string, number>>;
  dispose(): Promise<void>;
}

/** MeZO-SVRG's large batch, in minibatches: the paper anchors on far larger batches than it steps on. */
const LARGE_BATCH_FACTOR = 8;

/**
 * Estimators that read the model outputs o = h(θ) and ∇_o ℓ (PseuZO). The engine emits those only
 * when asked: `hidden_grad` costs a vocabulary-sized matmul per pass.
 */
const ESTIMATORS_READING_OUTPUTS: ReadonlySet<string> = new Set(['pseuzo']);

export async function openTrainingSession(config: RunConfig): Promise<TrainingSession> {
  const estimator = createEstimator(config.estimator.id, config.estimator.settings);
  const updateRule = createUpdateRule(config.optimizer.id, config.optimizer.settings);
  const [model, tokenizer] = await Promise.all([loadModel(config.model), loadTokenizer(config.model)]);
  const data = await loadTrainingData(config.data, tokenizer, config.eval.rows);
  const hasCandidates = data.train.every((example) => example.gold >= 0);
  if (config.objective === 'accuracy' && !hasCandidates) {
    throw new Error(
      `objective "accuracy" needs a task that scores candidates (classification, multiple choice); ` +
        `task ${data.task.name} is ${data.task.type}: use objective "loss"`,
    );
  }
  const needsOutputs = ESTIMATORS_READING_OUTPUTS.has(config.estimator.id);
  if (needsOutputs && config.objective !== 'loss') {
    throw new Error(`estimator ${config.estimator.id} differentiates the loss head: use objective "loss"`);
  }
  // Full mode with a low-rank estimator: the same parameters, plus graph inputs that carry U·Vᵀ. Not on
  // WebGPU: there θ stays on the device (gpu-params.ts applies U·Vᵀ there, uploading only the factors),
  // where the branch would upload every W each pass. So the device is resolved before the graph is built.
  const device = await resolveEp(config.ep);
  const branchRank =
    config.peft.mode === 'full' && device.ep !== 'webgpu' ? perturbationRankOf(estimator) : undefined;
  const engine = await Engine.create(model, {
    ep: device,
    peft: branchRank ? { kind: 'lowrank', rank: branchRank } : peftPlanConfig(config),
    ...(needsOutputs ? { outputs: { hidden: true, hiddenGrad: true } } : {}),
    ...(config.threads ? { threads: config.threads } : {}),
  });
  const batchOptions = { padId: tokenizer.padId };
  const branch = branchRank ? new LowRankBranch(engine.trainables, branchRank) : undefined;
  // On WebGPU θ stays on the device for the run (never together with the branch: see above).
  const gpu = engine.ep === 'webgpu' ? new GpuTrainingParams(engine) : undefined;
  const trainables = branch ? branch.params : engine.trainables;
  /** The objective on one minibatch, over the parameters (branch inputs fed by the wrapper). */
  const batchObjective = (batch: TokenBatch): Objective => {
    const objective = minibatchObjective(gpu ?? engine, batch, config.objective);
    return branch ? branch.objective(objective) : objective;
  };

  const toParams = (values: readonly Float32Array[]): ParamTensor[] =>
    trainables.map((t, i) => ({ name: t.name, shape: t.shape, data: values[i] as Float32Array }));

  return {
    device: engine.ep,
    ...(engine.epNote ? { deviceNote: engine.epNote } : {}),
    trainables,
    trainableParameters: trainables.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0),
    trainRows: data.train.length,
    validationRows: data.validation.length,
    notes: data.notes,
    estimator,
    updateRule: gpu ? gpu.mirrorUpdates(updateRule) : updateRule,
    // Read only for a fresh start: a resumed run's parameters come from its checkpoint, so moving or
    // deleting the adapter folder later does not strand the run.
    initialParams: () =>
      config.initAdapter
        ? adapterStartParams(config.initAdapter, model, config.peft, trainables)
        : toParams(engine.initialParams()),
    trainBatch(rows) {
      const examples = rows.map((row) => data.train[row] as EncodedExample);
      const batch = makeBatch(examples, batchOptions);
      return { objective: batchObjective(batch), tokens: realTokens(batch) };
    },
    largeBatch: chunkedObjective(() => {
      const count = Math.min(data.train.length, LARGE_BATCH_FACTOR * config.batchSize);
      const rows = seededPermutation(data.train.length, config.seed).subarray(0, count);
      const examples = Array.from(rows, (row) => data.train[row] as EncodedExample);
      return [...batchesOf(examples, config.batchSize, batchOptions)];
    }, batchObjective),
    ...(branch ? { lowRankBranch: branch } : {}),
    ...(gpu ? { deviceTraffic: () => gpu.traffic() } : {}),
    async evaluate(params) {
      const result = await evaluate({
        // On WebGPU the masters are fed from their device copy (no upload per validation batch).
        engine: gpu ?? engine,
        params: branch ? branch.feedsAtRest(params.map((p) => p.data)) : params.map((p) => p.data),
        tokenizer,
        task: data.task,
        examples: data.validation,
        maxLength: config.data.maxLength,
        batchSize: config.batchSize,
      });
      return { loss: result.loss, ...result.metrics };
    },
    async dispose() {
      await gpu?.dispose();
      await engine.dispose();
    },
  };
}

/** What runs a minibatch's forward passes: the Engine, or on WebGPU the device-resident parameters. */
interface BatchForward {
  forward(batch: Batch, values: readonly Float32Array[]): Promise<ForwardOutput>;
  /** θ + scale·d without host-side perturbed copies (Objective.evaluateAt). */
  forwardAt?(batch: Batch, params: Params, direction: Direction, scale: number): Promise<ForwardOutput>;
}

/**
 * The model on one fixed minibatch: the mean example loss (estimators.md §0: cross-entropy over
 * candidate scores for classification), or 1 − accuracy — a non-differentiable objective, which ZO
 * can follow because it never takes a gradient.
 */
function minibatchObjective(
  runner: BatchForward,
  batch: TokenBatch,
  objective: RunConfig['objective'],
): Objective {
  const valueOf = (output: ForwardOutput, request?: EvaluateRequest): Evaluation => {
    if (objective === 'accuracy') return { value: 1 - countCorrect(batch, output.loss) / batch.examples };
    const value = batchLoss(batch, output.loss);
    if (!request?.outputs && !request?.outputGrad) return { value };
    return {
      value,
      ...(request.outputs && output.hidden ? { outputs: output.hidden } : {}),
      ...(request.outputGrad && output.hiddenGrad
        ? { outputGrad: batchLossOutputGrad(batch, output.loss, output.hiddenGrad) }
        : {}),
    };
  };
  // A TokenBatch is a runtime Batch plus the bookkeeping that groups sequences into examples.
  const forwardAt = runner.forwardAt?.bind(runner);
  return {
    evaluate: async (values, request) => valueOf(await runner.forward(batch, values), request),
    ...(forwardAt
      ? {
          evaluateAt: async (params, direction, scale, request) =>
            valueOf(await forwardAt(batch, params, direction, scale), request),
        }
      : {}),
  };
}

/**
 * The example-weighted mean of minibatch objectives over several batches (built on first use, so
 * runs that never need it pay nothing). Outputs for PseuZO are not combined: it never asks a large batch.
 */
function chunkedObjective(
  makeBatches: () => TokenBatch[],
  objectiveOf: (batch: TokenBatch) => Objective,
): Objective {
  let chunks: { objective: Objective; examples: number }[] | undefined;
  return {
    async evaluate(values) {
      chunks ??= makeBatches().map((batch) => ({ objective: objectiveOf(batch), examples: batch.examples }));
      let total = 0;
      let examples = 0;
      for (const chunk of chunks) {
        total += (await chunk.objective.evaluate(values)).value * chunk.examples;
        examples += chunk.examples;
      }
      return { value: total / examples };
    },
  };
}

function countCorrect(batch: TokenBatch, sequenceLoss: Float32Array): number {
  const predicted = predictions(batch, sequenceLoss);
  return predicted.reduce((sum, choice, example) => sum + (choice === batch.gold[example] ? 1 : 0), 0);
}

function realTokens(batch: TokenBatch): number {
  let tokens = 0;
  for (const mask of batch.attentionMask) tokens += Number(mask);
  return tokens;
}
