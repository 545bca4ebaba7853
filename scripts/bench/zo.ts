// `npm run bench -- zo [--table ratio|efficiency|both] [--jobs N] [--budget FP] [--seeds K] [--target Δ]
//    [--eval-every FP] [--modes lora,full] [--max-length T] [--batch B] [--val-rows R] [--out file.json]`
// `npm run bench -- zo --rng [--entries N]`: ns per entry of the full-parameter hot paths alone.
//
// Two tables on the real stories260k model and sherlock text (estimators.md §10's setup: 256 training
// rows, 64 tokens, batch 16, 100 validation rows, ZO-SGD with §10's lr/ε per estimator):
//  ratio       step time ÷ (forward passes per step × one forward pass), per estimator × PEFT mode:
//              the bookkeeping overhead of perturbing, expanding and updating (1.00 = none).
//  efficiency  forward passes each estimator needs to lower the validation loss by `--target`
//              (mean ± sd over seeds), and the loss drop at the end of the budget.
// Every (estimator, mode, seed) runs in its own child process with one ORT thread, `--jobs` at a time.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { clearDirectionCache, generateDirection } from '../../core/estimators/direction-cache.ts';
import { writePerturbed } from '../../core/estimators/expand.ts';
import { gaussianDirection } from '../../core/estimators/mezo/mezo.ts';
import { createEstimator } from '../../core/estimators/registry.ts';
import type { EvaluateRequest, Evaluation, Objective, Params } from '../../core/estimators/types.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { fillGaussian, fillUniform } from '../../core/random/gaussian.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';
import { Stream } from '../../core/random/streams.ts';
import { DataOrder } from '../../core/train/data-order.ts';
import { openSherlock, SHERLOCK_CASES, type PeftMode } from '../../test/estimators/real-model.ts';

interface Task {
  table: 'ratio' | 'efficiency';
  mode: PeftMode;
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
  const session = await openSherlock(task.mode, { ...shape, estimator: row.id });
  try {
    const estimator = createEstimator(row.id, row.settings);
    const rule = createUpdateRule('zo-sgd');
    const params: Params = session.initialParams();
    const order = new DataOrder(session.trainRows, shape.batchSize, task.seed);
    let estimatorState = estimator.init(params);
    let optimizerState = rule.init(params);
    if (task.table === 'ratio') {
      // Each measured step is paired with plain forward passes of the same batch at θ right before it,
      // so load from other processes hits both sides of the ratio; the table reports medians.
      const request: EvaluateRequest | undefined =
        row.id === 'pseuzo' ? { outputs: true, outputGrad: true } : undefined;
      const ratios: number[] = [];
      const forwardMs: number[] = [];
      const stepMs: number[] = [];
      let passes = 0;
      for (let step = 0; step < 16; step++) {
        const batch = session.trainBatch(order.batch(step));
        let forward = 0;
        for (let i = 0; i < 2; i++) {
          const t = performance.now();
          await batch.objective.evaluate(
            params.map((p) => p.data),
            request,
          );
          forward += (performance.now() - t) / 2;
        }
        const t = performance.now();
        const result = await estimator.estimate({
          objective: batch.objective,
          params,
          state: estimatorState,
          step,
          seed: stepSeed(task.seed, step),
        });
        estimatorState = result.state;
        optimizerState = rule.apply(params, result.estimate, optimizerState, row.lr);
        const elapsed = performance.now() - t;
        if (step >= 4) {
          forwardMs.push(forward);
          stepMs.push(elapsed);
          ratios.push(elapsed / (result.forwardPasses * forward));
          passes += result.forwardPasses;
        }
      }
      // Bookkeeping alone: the same steps against a constant objective (no model), so the cost of
      // generating, perturbing, expanding and updating is measured without the forward passes' noise.
      const probe = await batch0Outputs(session, order, request);
      const constant: Objective = { evaluate: async () => probe };
      const bookkeepingMs: number[] = [];
      for (let step = 16; step < 26; step++) {
        const t = performance.now();
        const result = await estimator.estimate({
          objective: constant,
          params,
          state: estimatorState,
          step,
          seed: stepSeed(task.seed, step),
        });
        estimatorState = result.state;
        optimizerState = rule.apply(params, result.estimate, optimizerState, 0);
        bookkeepingMs.push(performance.now() - t);
      }
      const forward = median(forwardMs);
      const step = median(stepMs);
      const perStep = passes / stepMs.length;
      return {
        ...task,
        id: row.id,
        params: session.trainableParameters,
        forwardMs: forward,
        stepMs: step,
        passesPerStep: perStep,
        ratio: median(ratios),
        bookkeepingMs: median(bookkeepingMs),
      };
    }
    const curve: [number, number][] = [];
    const start = (await session.evaluate(params)).loss as number;
    curve.push([0, start]);
    let forwardPasses = 0;
    let reachedAt: number | null = null;
    let nextEval = task.evalEvery;
    for (let step = 0; forwardPasses + estimator.forwardPassesPerStep <= task.budget; step++) {
      const { objective } = session.trainBatch(order.batch(step));
      const result = await estimator.estimate({
        objective,
        params,
        state: estimatorState,
        step,
        seed: stepSeed(task.seed, step),
      });
      estimatorState = result.state;
      optimizerState = rule.apply(params, result.estimate, optimizerState, row.lr);
      forwardPasses += result.forwardPasses;
      if (forwardPasses >= nextEval || forwardPasses + estimator.forwardPassesPerStep > task.budget) {
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
 * Gaussian generation, a cached-z perturbation θ + εz, and the ZO-SGD update. Medians of 9 repeats,
 * printed with the load average because the machine is shared.
 */
function rngBench(entries: number): void {
  const address = { seed: 12345, stream: Stream.direction, tensor: 0, sample: 0 };
  const out = new Float32Array(entries);
  const theta = new Float32Array(entries);
  const params: Params = [{ name: 'w', shape: [entries], data: theta }];
  const direction = gaussianDirection(params, address.seed);
  const rule = createUpdateRule('zo-sgd');
  const nsPerEntry = (fn: () => void): number => {
    const times: number[] = [];
    for (let rep = 0; rep < 9; rep++) {
      const t = performance.now();
      fn();
      times.push(performance.now() - t);
    }
    return (median(times) * 1e6) / entries;
  };
  const rows: [string, number][] = [
    ['fillGaussian (generate z)', nsPerEntry(() => fillGaussian(out, address))],
    ['fillUniform (Philox lanes)', nsPerEntry(() => fillUniform(out, address))],
    [
      'θ + εz, z cached (one perturbation)',
      nsPerEntry(() => {
        generateDirection(address, entries);
        writePerturbed(out, theta, direction[0] ?? [], 0, 1e-3);
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
  console.log('| path | ns/entry (median of 9) |\n|---|---|');
  for (const [name, ns] of rows) console.log(`| ${name} | ${ns.toFixed(2)} |`);
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
      // estimators.md §10's shape by default; smaller shapes trade comparability for time.
      'max-length': { type: 'string', default: '64' },
      batch: { type: 'string', default: '16' },
      'val-rows': { type: 'string', default: '100' },
      out: { type: 'string' },
      rng: { type: 'boolean', default: false },
      entries: { type: 'string', default: String(1 << 22) },
    },
  });
  if (values.rng) {
    rngBench(Number(values.entries));
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
        `\n### forward passes to lower validation loss by ${values.target}, ${mode} (budget ${values.budget} FP, ${values.seeds} seeds, batch ${shape.batchSize}×${shape.maxLength}, ${shape.validationRows} validation rows)\n`,
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
