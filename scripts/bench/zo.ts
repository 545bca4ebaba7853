// `npm run bench -- zo [--table ratio|efficiency|both] [--jobs N] [--budget FP] [--seeds K] [--target Δ]
//    [--eval-every FP] [--modes lora,full] [--rule zo-sgd|zo-sgd-cons|…] [--max-length T] [--batch B]
//    [--val-rows R] [--out file.json]`
// `npm run bench -- zo --rng [--entries N]`: ns per entry of the full-parameter hot paths alone.
// `npm run bench -- zo --smollm [--estimator ID] [--steps S] [--threads T] [--batch B] [--max-length L]`:
//   step-time ratio of one estimator (default mezo), full and LoRA, on a random-weight SmolLM-135M-shaped
//   model; a low-rank estimator (lozo, lozo-m, subzero) adds full mode on the graph's low-rank branch.
//
// Two tables on the real stories260k model and sherlock text (estimators.md §10's setup: 256 training
// rows, 64 tokens, batch 16, 100 validation rows, ZO-SGD with §10's lr/ε per estimator):
//  ratio       step time ÷ (forward passes per step × one forward pass), per estimator × PEFT mode:
//              the bookkeeping overhead of perturbing, expanding and updating (1.00 = none).
//  efficiency  forward passes each estimator needs to lower the validation loss by `--target`
//              (mean ± sd over seeds), and the loss drop at the end of the budget.
// Every (estimator, mode, seed) runs in its own child process with one ORT thread, `--jobs` at a time.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clearDirectionCache, generateDirection } from '../../core/estimators/direction-cache.ts';
import { writePerturbed } from '../../core/estimators/expand.ts';
import { gaussianDirection } from '../../core/estimators/mezo/mezo.ts';
import { createEstimator } from '../../core/estimators/registry.ts';
import { perturbationRankOf } from '../../core/estimators/shapes.ts';
import type {
  Estimator,
  EvaluateRequest,
  Evaluation,
  Objective,
  Params,
} from '../../core/estimators/types.ts';
import { loadModel } from '../../core/models/load.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import type { UpdateRule } from '../../core/optim/types.ts';
import { forwardPassesPerStep, zoStep } from '../../core/optim/zo-step.ts';
import { fillGaussian, fillUniform } from '../../core/random/gaussian.ts';
import {
  bookkeepingPoolStatus,
  inBookkeepingMemory,
  MIN_PARALLEL_ENTRIES,
  runSplit,
  runPooled,
} from '../../core/random/pool/pool.ts';
import { sharedFloat32 } from '../../core/random/pool/shared-memory.ts';
import { Stream } from '../../core/random/streams.ts';
import { Engine, type EngineOptions } from '../../core/runtime/engine.ts';
import { DataOrder } from '../../core/train/data-order.ts';
import { LowRankBranch } from '../../core/train/low-rank-objective.ts';
import { openSherlock, SHERLOCK_CASES, type PeftMode } from '../../test/estimators/real-model.ts';
import { makeBatch, writeRandomSmolLm } from './lib/smollm-shape.ts';

interface Task {
  table: 'ratio' | 'efficiency';
  mode: PeftMode;
  /** Update rule id (`--rule`; zo-sgd unless asked). */
  rule: string;
  index: number;
  seed: number;
  budget: number;
  target: number;
  evalEvery: number;
  shape: Shape;
}

interface Shape {
  maxLength: number;
  batchSize: number;
  validationRows: number;
  trainRows: number;
}

async function runTask(task: Task): Promise<Record<string, unknown>> {
  const row = SHERLOCK_CASES[task.mode][task.index];
  if (!row) throw new Error(`no case ${task.index} for ${task.mode}`);
  const { shape } = task;
  const session = await openSherlock(task.mode, { ...shape, estimator: row.id, settings: row.settings });
  try {
    const estimator = createEstimator(row.id, row.settings);
    const rule = createUpdateRule(task.rule);
    const params: Params = session.initialParams();
    const order = new DataOrder(session.trainRows, shape.batchSize, task.seed);
    const stepper = makeStepper(estimator, rule, params, task.seed);
    if (task.table === 'ratio') {
      const request: EvaluateRequest | undefined =
        row.id === 'pseuzo' ? { outputs: true, outputGrad: true } : undefined;
      const probe = await batch0Outputs(session, order, request);
      const constant: Objective = { evaluate: async () => probe };
      const timing = await timeSteps({
        params,
        stepper,
        objectiveAt: (step) => session.trainBatch(order.batch(step)).objective,
        // Full-mode LOZO/SubZero feed the graph's low-rank branch: time that host-side work too.
        constant: session.lowRankBranch?.objective(constant) ?? constant,
        lr: row.lr,
        request,
        steps: 16,
        warmup: 4,
        bookkeepingSteps: 10,
      });
      return { ...task, id: row.id, params: session.trainableParameters, ...timing };
    }
    const curve: [number, number][] = [];
    const start = (await session.evaluate(params)).loss as number;
    curve.push([0, start]);
    let forwardPasses = 0;
    let reachedAt: number | null = null;
    let nextEval = task.evalEvery;
    const perStep = forwardPassesPerStep(estimator, rule);
    for (let step = 0; forwardPasses + perStep <= task.budget; step++) {
      forwardPasses += await stepper(session.trainBatch(order.batch(step)).objective, step, row.lr);
      if (forwardPasses >= nextEval || forwardPasses + perStep > task.budget) {
        nextEval += task.evalEvery;
        const loss = (await session.evaluate(params)).loss as number;
        curve.push([forwardPasses, loss]);
        if (reachedAt === null && start - loss >= task.target) reachedAt = forwardPasses;
      }
    }
    const end = curve.at(-1)?.[1] ?? start;
    return { ...task, id: row.id, start, end, drop: start - end, reachedAt, curve };
  } finally {
    await session.dispose();
  }
}

/** One training step (zoStep) at `lr`; returns its forward passes. State lives in the closure. */
type Stepper = (objective: Objective, step: number, lr: number) => Promise<number>;

function makeStepper(
  estimator: Estimator<unknown>,
  rule: UpdateRule<unknown>,
  params: Params,
  runSeed: number,
): Stepper {
  const state = { params, estimatorState: estimator.init(params), optimizerState: rule.init(params) };
  return async (objective, step, lr) =>
    (await zoStep(state, { estimator, rule, objective, step, runSeed, lr })).forwardPasses;
}

interface StepTiming {
  forwardMs: number;
  stepMs: number;
  passesPerStep: number;
  ratio: number;
  bookkeepingMs: number;
}

/**
 * Step time ÷ (forward passes × one forward). Each measured step is paired with two plain forward passes
 * of the same objective at θ right before it, so load from other processes hits both sides of the
 * ratio; medians over the steps after `warmup`. Then bookkeeping alone: steps against a constant
 * objective (no model), so generating, perturbing, expanding and updating are timed without the
 * forward passes' noise.
 */
async function timeSteps(options: {
  params: Params;
  stepper: Stepper;
  objectiveAt: (step: number) => Objective;
  constant: Objective;
  lr: number;
  request: EvaluateRequest | undefined;
  steps: number;
  warmup: number;
  bookkeepingSteps: number;
}): Promise<StepTiming> {
  const { params, stepper, lr, request } = options;
  const ratios: number[] = [];
  const forwardMs: number[] = [];
  const stepMs: number[] = [];
  let passes = 0;
  for (let step = 0; step < options.steps; step++) {
    const objective = options.objectiveAt(step);
    let forward = 0;
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      await objective.evaluate(
        params.map((p) => p.data),
        request,
      );
      forward += (performance.now() - t) / 2;
    }
    const t = performance.now();
    const stepPasses = await stepper(objective, step, lr);
    const elapsed = performance.now() - t;
    if (step >= options.warmup) {
      forwardMs.push(forward);
      stepMs.push(elapsed);
      ratios.push(elapsed / (stepPasses * forward));
      passes += stepPasses;
    }
  }
  const bookkeepingMs: number[] = [];
  for (let step = options.steps; step < options.steps + options.bookkeepingSteps; step++) {
    const t = performance.now();
    await stepper(options.constant, step, 0);
    bookkeepingMs.push(performance.now() - t);
  }
  return {
    forwardMs: median(forwardMs),
    stepMs: median(stepMs),
    passesPerStep: passes / stepMs.length,
    ratio: median(ratios),
    bookkeepingMs: median(bookkeepingMs),
  };
}

/**
 * An estimator's step-time ratio on a random-weight SmolLM-135M-shaped model (scripts/bench/lib/
 * smollm-shape.ts), full-parameter and LoRA (r 8 on q_proj, v_proj), synthetic token batches, `threads`
 * ORT threads. Full mode runs dense (θ ± ε·d written on the host) and, for an estimator that declares a
 * perturbation rank, also as training runs it: through the low-rank branch (core/train/low-rank-objective.ts).
 */
async function smollmRatio(options: {
  estimator: string;
  batch: number;
  maxLength: number;
  threads: number;
  steps: number;
}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'zo-bench-smollm-'));
  try {
    process.stderr.write('writing a random-weight SmolLM-135M-shaped model...\n');
    writeRandomSmolLm(dir);
    const model = await loadModel(dir);
    const feed = makeBatch(options.batch, options.maxLength, model.config.vocab);
    const rows: string[] = [];
    const rank = perturbationRankOf(createEstimator(options.estimator));
    type Mode = [string, EngineOptions['peft'], number, number];
    const modes: Mode[] = [
      ['full', { kind: 'full' }, 1e-3, 1e-6],
      ...(rank ? [['full, low-rank branch', { kind: 'lowrank', rank }, 1e-3, 1e-6] satisfies Mode] : []),
      ['lora', { kind: 'lora', rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'] }, 1e-2, 1e-4],
    ];
    for (const [mode, peft, eps, lr] of modes) {
      const engine = await Engine.create(model, { peft, fused: true, ep: 'cpu', threads: options.threads });
      try {
        const branch = peft?.kind === 'lowrank' ? new LowRankBranch(engine.trainables, peft.rank) : undefined;
        const init = engine.initialParams();
        const params: Params = (branch?.params ?? engine.trainables).map((t, i) => ({
          name: t.name,
          shape: [...t.shape],
          // Shared memory like a training run's masters (core/train/run-state.ts), so the sweeps pool.
          data: inBookkeepingMemory(init[i] as Float32Array),
        }));
        const forward: Objective = {
          evaluate: async (values) => {
            const { loss } = await engine.forward(feed, values);
            return { value: loss.reduce((a, b) => a + b, 0) / loss.length };
          },
        };
        const objective = branch ? branch.objective(forward) : forward;
        const probe = await objective.evaluate(params.map((p) => p.data));
        const constant: Objective = { evaluate: async () => probe };
        const estimator = createEstimator(options.estimator, { eps });
        const timing = await timeSteps({
          params,
          stepper: makeStepper(estimator, createUpdateRule('zo-sgd'), params, 0),
          objectiveAt: () => objective,
          constant: branch ? branch.objective(constant) : constant,
          lr,
          request: undefined,
          steps: options.steps,
          warmup: 1,
          bookkeepingSteps: 3,
        });
        const count = params.reduce((sum, p) => sum + p.data.length, 0);
        const row = `| ${mode} | ${count} | ${timing.forwardMs.toFixed(0)} | ${timing.stepMs.toFixed(0)} | ${timing.ratio.toFixed(3)} | ${timing.bookkeepingMs.toFixed(0)} | ${(1 + timing.bookkeepingMs / (timing.passesPerStep * timing.forwardMs)).toFixed(3)} | ${loadavg()[0]?.toFixed(1)} |`;
        process.stderr.write(`${row}\n`);
        rows.push(row);
      } finally {
        await engine.dispose();
        clearDirectionCache();
      }
    }
    console.log(
      `\n### ${options.estimator} step time ÷ (2 × one forward), SmolLM-135M shape, ${options.batch}×${options.maxLength}, ${options.threads} ORT threads\n`,
    );
    console.log(
      '| mode | params | one forward ms | step ms | ratio (paired median) | bookkeeping ms | 1 + bookkeeping/(2·forward) | load |\n|---|---|---|---|---|---|---|---|',
    );
    for (const row of rows) console.log(row);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A real evaluation's result at θ (outputs included for PseuZO), replayed by the constant objective. */
async function batch0Outputs(
  session: Awaited<ReturnType<typeof openSherlock>>,
  order: DataOrder,
  request: EvaluateRequest | undefined,
): Promise<Evaluation> {
  const { objective } = session.trainBatch(order.batch(0));
  return objective.evaluate(
    session.initialParams().map((p) => p.data),
    request,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function meanSd(values: number[], digits = 3): string {
  if (values.length === 0) return '—';
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}

/**
 * Micro-benchmark of the per-entry costs of a full-parameter MeZO step on one `entries`-long tensor:
 * Gaussian generation, a cached-z perturbation θ + εz, and the ZO-SGD update, on the calling thread and
 * split across the bookkeeping pool (shared buffers; ZO_BOOKKEEPING_THREADS sets its size). Then the
 * crossover behind MIN_PARALLEL_ENTRIES: single vs pool per tensor size. Medians of 9 repeats, printed
 * with the load average because the machine is shared.
 */
async function rngBench(entries: number): Promise<void> {
  const address = { seed: 12345, stream: Stream.direction, tensor: 0, sample: 0 };
  const out = new Float32Array(entries);
  const theta = new Float32Array(entries);
  const params: Params = [{ name: 'w', shape: [entries], data: theta }];
  const direction = gaussianDirection(params, address.seed);
  const rule = createUpdateRule('zo-sgd');
  // Median and fastest of 9: on a shared machine the fastest repeat shows what spare cores give.
  const nsPerEntry = (fn: () => void, length = entries): string => {
    const times: number[] = [];
    for (let rep = 0; rep < 9; rep++) {
      const t = performance.now();
      fn();
      times.push(performance.now() - t);
    }
    const ns = (ms: number) => ((ms * 1e6) / length).toFixed(2);
    return `${ns(median(times))} | ${ns(Math.min(...times))}`;
  };
  const sharedOut = sharedFloat32(entries);
  const sharedTheta = sharedFloat32(entries);
  // Lets the pool's workers start (they boot asynchronously) before anything is timed.
  for (let i = 0; i < 20; i++) {
    runPooled({ kind: 'gaussian', out: sharedOut, address });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const threads = bookkeepingPoolStatus().threads;
  const rows: [string, string][] = [
    ['fillGaussian (generate z)', nsPerEntry(() => fillGaussian(out, address))],
    [
      `generate z, pool of ${threads} threads`,
      nsPerEntry(() => runPooled({ kind: 'gaussian', out: sharedOut, address })),
    ],
    ['fillUniform (Philox lanes)', nsPerEntry(() => fillUniform(out, address))],
    [
      'θ + εz, z cached (one perturbation)',
      nsPerEntry(() => {
        generateDirection(address, entries);
        writePerturbed(out, theta, direction[0] ?? [], 0, 1e-3);
      }),
    ],
    [
      `θ + εz, z cached, shared θ and out, pool of ${threads}`,
      nsPerEntry(() => {
        generateDirection(address, entries);
        writePerturbed(sharedOut, sharedTheta, direction[0] ?? [], 0, 1e-3);
      }),
    ],
    [
      'θ + εz, z regenerated per chunk',
      nsPerEntry(() => {
        clearDirectionCache();
        writePerturbed(out, theta, direction[0] ?? [], 0, 1e-3);
      }),
    ],
    [
      'ZO-SGD update, z cached',
      nsPerEntry(() => {
        generateDirection(address, entries);
        rule.apply(params, { terms: direction }, null, 0);
      }),
    ],
  ];
  clearDirectionCache();
  console.log(`\n### ns per entry, ${entries} entries, load average ${loadavg()[0]?.toFixed(1)}\n`);
  console.log('| path | ns/entry (median of 9) | fastest |\n|---|---|---|');
  for (const [name, ns] of rows) console.log(`| ${name} | ${ns} |`);
  console.log(
    `\n### generation per tensor size, one thread vs pool of ${threads} (MIN_PARALLEL_ENTRIES = ${MIN_PARALLEL_ENTRIES}), load ${loadavg()[0]?.toFixed(1)}\n`,
  );
  console.log(
    '| entries | one thread ns/entry (median) | fastest | pool, split forced (median) | fastest |\n|---|---|---|---|---|',
  );
  for (let length = 1 << 14; length <= 1 << 21; length *= 2) {
    const buffer = sharedOut.subarray(0, length);
    const single = nsPerEntry(() => fillGaussian(buffer, address), length);
    const split = nsPerEntry(() => runSplit({ kind: 'gaussian', out: buffer, address }), length);
    console.log(`| ${length} | ${single} | ${split} |`);
  }
}

function runChild(task: Task): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', import.meta.filename, '--task', JSON.stringify(task)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`task ${JSON.stringify(task)} exited with ${code}`));
      else resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      task: { type: 'string' },
      table: { type: 'string', default: 'both' },
      jobs: { type: 'string', default: '1' },
      budget: { type: 'string', default: '600' },
      seeds: { type: 'string', default: '3' },
      target: { type: 'string', default: '0.25' },
      'eval-every': { type: 'string', default: '40' },
      modes: { type: 'string', default: 'lora,full' },
      rule: { type: 'string', default: 'zo-sgd' },
      // estimators.md §10's shape by default; smaller shapes trade comparability for time.
      'max-length': { type: 'string', default: '64' },
      batch: { type: 'string', default: '16' },
      'val-rows': { type: 'string', default: '100' },
      out: { type: 'string' },
      rng: { type: 'boolean', default: false },
      smollm: { type: 'boolean', default: false },
      estimator: { type: 'string', default: 'mezo' },
      steps: { type: 'string', default: '6' },
      threads: { type: 'string', default: '2' },
      entries: { type: 'string', default: String(1 << 22) },
    },
  });
  if (values.rng) {
    await rngBench(Number(values.entries));
    return;
  }
  if (values.smollm) {
    await smollmRatio({
      estimator: values.estimator ?? 'mezo',
      batch: Number(values.batch),
      maxLength: Number(values['max-length']),
      threads: Number(values.threads),
      steps: Number(values.steps),
    });
    return;
  }
  if (values.task) {
    process.stdout.write(`${JSON.stringify(await runTask(JSON.parse(values.task) as Task))}\n`);
    return;
  }
  const tables =
    values.table === 'both' ? (['ratio', 'efficiency'] as const) : [values.table as Task['table']];
  const modes = (values.modes ?? 'lora,full').split(',') as PeftMode[];
  const shape: Shape = {
    maxLength: Number(values['max-length']),
    batchSize: Number(values.batch),
    validationRows: Number(values['val-rows']),
    trainRows: 256,
  };
  const tasks: Task[] = [];
  for (const table of tables)
    for (const mode of modes)
      SHERLOCK_CASES[mode].forEach((_, index) => {
        for (let seed = 0; seed < (table === 'ratio' ? 1 : Number(values.seeds)); seed++)
          tasks.push({
            table,
            mode,
            rule: values.rule ?? 'zo-sgd',
            index,
            seed,
            budget: Number(values.budget),
            target: Number(values.target),
            evalEvery: Number(values['eval-every']),
            shape,
          });
      });
  const results: Record<string, unknown>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++] as Task;
      results.push(await runChild(task));
      process.stderr.write(`done ${results.length}/${tasks.length}\n`);
    }
  };
  await Promise.all(Array.from({ length: Number(values.jobs) }, worker));
  if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2));
  for (const mode of modes) {
    const ratio = results.filter((r) => r.table === 'ratio' && r.mode === mode);
    if (ratio.length) {
      console.log(
        `\n### step time ÷ (forward passes × one forward), ${mode} (stories260k, ${shape.batchSize}×${shape.maxLength})\n`,
      );
      console.log(
        '| estimator | params | one forward ms | FP/step | step ms | ratio (paired medians) | bookkeeping ms | 1 + bookkeeping/(FP·forward) |\n|---|---|---|---|---|---|---|---|',
      );
      for (const r of ratio)
        console.log(
          `| ${String(r.id)} | ${String(r.params)} | ${(r.forwardMs as number).toFixed(1)} | ${(r.passesPerStep as number).toFixed(1)} | ${(r.stepMs as number).toFixed(1)} | ${(r.ratio as number).toFixed(3)} | ${(r.bookkeepingMs as number).toFixed(1)} | ${(1 + (r.bookkeepingMs as number) / ((r.passesPerStep as number) * (r.forwardMs as number))).toFixed(3)} |`,
        );
    }
    const efficiency = results.filter((r) => r.table === 'efficiency' && r.mode === mode);
    if (efficiency.length) {
      console.log(
        `\n### forward passes to lower validation loss by ${values.target}, ${mode}, ${values.rule} (budget ${values.budget} FP, ${values.seeds} seeds, batch ${shape.batchSize}×${shape.maxLength}, ${shape.validationRows} validation rows)\n`,
      );
      console.log(
        '| estimator | lr | FP to target (mean ± sd; seeds reaching) | drop at budget (mean ± sd) |\n|---|---|---|---|',
      );
      for (const [index, row] of SHERLOCK_CASES[mode].entries()) {
        const runs = efficiency.filter((r) => r.index === index);
        const reached = runs.map((r) => r.reachedAt).filter((x): x is number => typeof x === 'number');
        const fp = reached.length
          ? `${meanSd(reached, 0)} (${reached.length}/${runs.length})`
          : `not reached (0/${runs.length})`;
        console.log(`| ${row.id} | ${row.lr} | ${fp} | ${meanSd(runs.map((r) => r.drop as number))} |`);
      }
    }
  }
}

await main();
