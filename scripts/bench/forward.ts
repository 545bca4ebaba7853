// Forward-pass benchmark: `npm run bench -- forward [--rounds 2] [--runs 5] [--threads 2] [--quick]`
// (--quick: stories260k only, one round: a smoke test of the harness; --no-memory: skip the per-variant
// RSS children when time is short).
// Models: stories260k (fixture) and a random-weight model of SmolLM-135M's shape written here as a temp
// HF folder. Variants (all CPU EP):
//   initializers  frozen weights as initializers, fused contrib norms (the engine's default CPU build)
//   full          every weight a graph input (full-parameter ZO)
//   lora          initializers + LoRA r8 α16 on q_proj, v_proj as inputs (branch form)
//   lora-merged   the same LoRA merged into W per run (graph/blocks/linear.ts)
//   plain         initializers, plain ONNX ops only (the probe's reference build)
// Speed: all variants of a model load in one child and their runs interleave, so the VM's multi-second
// slow bursts (see ort-probe.md) hit every variant alike; the best median per cell over rounds is kept.
// Memory: each variant also runs alone in its own child, so its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../../core/models/load.ts';
import type { EngineOptions } from '../../core/runtime/engine.ts';
import { Engine } from '../../core/runtime/engine.ts';
import { compareTable, summarizeProfile } from './lib/ort-profile.ts';
import { makeBatch, writeRandomSmolLm } from './lib/smollm-shape.ts';

const VARIANTS: Record<string, Omit<EngineOptions, 'threads'>> = {
  initializers: { peft: { kind: 'none' }, fused: true },
  full: { peft: { kind: 'full' }, fused: true },
  lora: { peft: { kind: 'lora', rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'] }, fused: true },
  'lora-merged': {
    peft: { kind: 'lora', rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'] },
    fused: true,
    loraForm: 'merged',
  },
  plain: { peft: { kind: 'none' }, fused: false },
};
const SHAPES = [
  [16, 64],
  [8, 256],
] as const;
const WARMUP_RUNS = 2;

interface RssResult {
  createMs: number;
  peakRssMb: number;
}

/** variant → per-shape median ms, in SHAPES order. */
type TimingResult = Record<string, number[]>;

function variantOptions(variant: string): Omit<EngineOptions, 'threads'> {
  const options = VARIANTS[variant];
  if (!options)
    throw new Error(`unknown variant ${variant}; expected one of ${Object.keys(VARIANTS).join(', ')}`);
  return options;
}

/** Child for memory: one variant alone, one pass per shape; its peak RSS is that variant's. */
async function rssChild(modelDir: string, variant: string, threads: number): Promise<RssResult> {
  const model = await loadModel(modelDir);
  const started = performance.now();
  const engine = await Engine.create(model, { ...variantOptions(variant), ep: 'cpu', threads });
  const createMs = performance.now() - started;
  const params = engine.initialParams();
  for (const [b, t] of SHAPES) await engine.forward(makeBatch(b, t, model.config.vocab), params);
  await engine.dispose();
  return { createMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Child for speed: every variant's engine in one process, runs interleaved (A B C D, B C D A, ...), so a
 * slow burst of the machine hits all variants alike instead of whichever ran during it.
 */
async function timingChild(modelDir: string, runs: number, threads: number): Promise<TimingResult> {
  const model = await loadModel(modelDir);
  const variants = Object.keys(VARIANTS);
  const engines = [];
  for (const v of variants) {
    const engine = await Engine.create(model, { ...variantOptions(v), ep: 'cpu', threads });
    engines.push({ v, engine, params: engine.initialParams() });
  }
  const result: TimingResult = Object.fromEntries(variants.map((v) => [v, [] as number[]]));
  for (const [b, t] of SHAPES) {
    const feed = makeBatch(b, t, model.config.vocab);
    const times = new Map<string, number[]>(variants.map((v) => [v, []]));
    for (let r = 0; r < WARMUP_RUNS + runs; r++) {
      for (let k = 0; k < engines.length; k++) {
        const { v, engine, params } = engines[(r + k) % engines.length] as (typeof engines)[number];
        const started = performance.now();
        await engine.forward(feed, params);
        if (r >= WARMUP_RUNS) times.get(v)?.push(performance.now() - started);
      }
    }
    for (const v of variants) {
      const sorted = (times.get(v) ?? []).sort((x, y) => x - y);
      result[v]?.push(sorted[Math.floor(sorted.length / 2)] as number);
    }
    // Progress on stderr (passed through by the parent), so a run cut short still leaves numbers.
    const medians = variants.map((v) => `${v} ${result[v]?.at(-1)?.toFixed(1)} ms`).join(', ');
    process.stderr.write(`  ${b}×${t}: ${medians}\n`);
  }
  for (const { engine } of engines) await engine.dispose();
  return result;
}

/**
 * `--profile DIR`: ORT's per-node profiler on the 135M shape at one B×T, the given variants' runs
 * interleaved in one process; prints kernel ms per run by op type and by node, side by side.
 */
async function profileVariants(
  outDir: string,
  variants: string[],
  [b, t]: readonly [number, number],
  runs: number,
  threads: number,
): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const modelDir = mkdtempSync(path.join(os.tmpdir(), 'zo-bench-smollm-'));
  try {
    writeRandomSmolLm(modelDir);
    const model = await loadModel(modelDir);
    const engines = [];
    for (const v of variants) {
      const prefix = path.join(outDir, `${v}-${b}x${t}`);
      const engine = await Engine.create(model, {
        ...variantOptions(v),
        ep: 'cpu',
        threads,
        profilePrefix: prefix,
      });
      engines.push({ v, engine, params: engine.initialParams() });
    }
    const feed = makeBatch(b, t, model.config.vocab);
    for (let r = 0; r < 1 + runs; r++) {
      for (let k = 0; k < engines.length; k++) {
        const { engine, params } = engines[(r + k) % engines.length] as (typeof engines)[number];
        await engine.forward(feed, params);
      }
    }
    for (const { engine } of engines) await engine.dispose();
    const summaries = new Map(
      variants.map((v) => {
        const file = readdirSync(outDir)
          .filter((f) => f.startsWith(`${v}-${b}x${t}_`) && f.endsWith('.json'))
          .sort()
          .pop();
        if (!file) throw new Error(`no ORT profile for ${v} in ${outDir}`);
        return [v, summarizeProfile(path.join(outDir, file), 1)] as const;
      }),
    );
    const walls = [...summaries].map(([v, s]) => `${v} ${s.runMs.toFixed(0)} ms`).join(', ');
    process.stdout.write(
      `ORT profile, 135M shape ${b}×${t}, ${threads} threads, mean of ${runs} interleaved runs after 1 warm-up; load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}\n` +
        `model_run: ${walls}\n\n` +
        `${compareTable('op type (ms/run)', new Map([...summaries].map(([v, s]) => [v, s.byOp])), 30)}\n\n` +
        `${compareTable('node, all layers (ms/run)', new Map([...summaries].map(([v, s]) => [v, s.byNode])), 40)}\n`,
    );
  } finally {
    rmSync(modelDir, { recursive: true, force: true });
  }
}

function runChild<T>(args: string[]): T {
  const out = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (out.status !== 0) throw new Error(`bench child ${args.join(' ')} failed (exit ${out.status})`);
  return JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as T;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      child: { type: 'boolean' },
      variant: { type: 'string' },
      rounds: { type: 'string', default: '2' },
      runs: { type: 'string', default: '5' },
      threads: { type: 'string', default: String(Math.min(os.availableParallelism(), 2)) },
      quick: { type: 'boolean' },
      'no-memory': { type: 'boolean' },
      profile: { type: 'string' },
      shape: { type: 'string', default: '16x64' },
      variants: { type: 'string', default: 'initializers,lora,plain' },
    },
  });
  const [runs, threads] = [Number(values.runs), Number(values.threads)];
  if (values.profile) {
    const [b, t] = values.shape.split('x').map(Number) as [number, number];
    if (!(b > 0 && t > 0)) throw new Error(`--shape "${values.shape}": expected BxT, e.g. 16x64`);
    const variants = values.variants.split(',');
    variants.forEach(variantOptions);
    await profileVariants(values.profile, variants, [b, t], runs, threads);
    return;
  }
  if (values.child) {
    const [kind, dir] = positionals as [string, string];
    const result =
      kind === 'rss'
        ? await rssChild(dir, values.variant as string, threads)
        : await timingChild(dir, runs, threads);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }

  const rounds = values.quick ? 1 : Number(values.rounds);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'zo-bench-smollm-'));
  try {
    if (!values.quick) {
      process.stderr.write('writing a random-weight SmolLM-135M-shaped model...\n');
      writeRandomSmolLm(tmp);
    }
    const models: [string, string][] = [
      ['stories260k', path.resolve(import.meta.dirname, '../../../shared/fixtures/models/stories260k')],
    ];
    if (!values.quick) models.push(['smollm-135m-shape', tmp]);
    const results = new Map<string, { rss: Record<string, RssResult>; ms: TimingResult }>();
    for (const [name, dir] of models) {
      const rss: Record<string, RssResult> = {};
      for (const v of values['no-memory'] ? [] : Object.keys(VARIANTS)) {
        rss[v] = runChild<RssResult>(['rss', dir, '--variant', v, '--threads', String(threads)]);
        process.stderr.write(
          `${name} ${v}: peak RSS ${Math.round(rss[v].peakRssMb)} MiB, create ${Math.round(rss[v].createMs)} ms\n`,
        );
      }
      let best: TimingResult | undefined;
      for (let round = 0; round < rounds; round++) {
        const ms = runChild<TimingResult>([
          'timing',
          dir,
          '--runs',
          String(runs),
          '--threads',
          String(threads),
        ]);
        process.stderr.write(`${name} round ${round + 1}/${rounds}: ${JSON.stringify(ms)}\n`);
        // Best median per cell across rounds.
        best = best
          ? Object.fromEntries(
              Object.entries(best).map(([v, list]) => [
                v,
                list.map((x, i) => Math.min(x, ms[v]?.[i] ?? Infinity)),
              ]),
            )
          : ms;
      }
      results.set(name, { rss, ms: best as TimingResult });
    }
    report(results, threads, runs, rounds);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function report(
  results: Map<string, { rss: Record<string, RssResult>; ms: TimingResult }>,
  threads: number,
  runs: number,
  rounds: number,
): void {
  const lines = [
    `CPU EP, ${threads} intra-op threads; median of ${runs} interleaved runs, best of ${rounds} round(s); RSS and create time from a child running that variant alone`,
    '| model | variant | B×T | forward ms | tokens/s | ratio to best | peak RSS MiB | create ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const checks: string[] = [];
  for (const [model, { rss, ms }] of results) {
    SHAPES.forEach(([b, t], i) => {
      const at = (v: string) => ms[v]?.[i] ?? NaN;
      const fastest = Math.min(...Object.keys(VARIANTS).map(at));
      for (const v of Object.keys(VARIANTS)) {
        const m = at(v);
        const r = rss[v] ?? { peakRssMb: NaN, createMs: NaN };
        lines.push(
          `| ${model} | ${v} | ${b}×${t} | ${m.toFixed(1)} | ${Math.round((b * t * 1000) / m)} | ${(m / fastest).toFixed(3)} | ${Math.round(r.peakRssMb)} | ${Math.round(r.createMs)} |`,
        );
      }
      if (model !== 'stories260k') {
        const loraVsInit = at('lora') / at('initializers');
        checks.push(
          `${b}×${t}: lora / initializers = ${loraVsInit.toFixed(3)} (bar ≤ 1.05) ${loraVsInit <= 1.05 ? 'PASS' : 'FAIL'}`,
        );
        const loraVsPlain = at('lora') / at('plain');
        checks.push(
          `${b}×${t}: lora / plain = ${loraVsPlain.toFixed(3)} (bar ≤ 1.00) ${loraVsPlain <= 1 ? 'PASS' : 'FAIL'}`,
        );
      }
    });
  }
  process.stdout.write(`${lines.join('\n')}\n\nbars on smollm-135m-shape:\n${checks.join('\n')}\n`);
}

await main();
