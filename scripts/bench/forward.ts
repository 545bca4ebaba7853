// Forward-pass benchmark: `npm run bench -- forward [--rounds 2] [--runs 5] [--threads 2] [--no-memory]`
//   --quick          only what issue #2's bar needs: the 135M shape, variants initializers, lora, plain,
//                    one round unless --rounds says otherwise, no memory children (a few minutes
//                    instead of ~15 on an idle 2-core VM)
//   --smoke          stories260k only, one round: a smoke test of the harness
//   --shapes 16x64   only these B×T (comma-separated; default 16x64,8x256)
//   --profile DIR    ORT per-node profiles instead of timings (lib/forward-profile.ts); with
//                    --shape 16x64 and --variants initializers,lora,plain
// Models: stories260k (fixture) and a random-weight model of SmolLM-135M's shape written here as a temp
// HF folder. Variants: lib/forward-variants.ts.
// Speed: all variants of a model load in one child and their runs interleave (A B C, B C A, ...), so the
// VM's multi-second slow bursts (see ort-probe.md) hit every variant alike. Per cell the best median over
// rounds is kept. The bar ratios are medians of *paired* ratios (lora's run over the other variant's run
// in the same rotation, seconds apart), which cancel slow phases better than a ratio of two medians.
// Memory: each variant also runs alone in its own child, so its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../../core/models/load.ts';
import { Engine } from '../../core/runtime/engine.ts';
import { profileVariants } from './lib/forward-profile.ts';
import { BAR_VARIANTS, BARS, SHAPES, VARIANTS, variantOptions } from './lib/forward-variants.ts';
import { makeBatch, writeRandomSmolLm } from './lib/smollm-shape.ts';

const WARMUP_RUNS = 2;
const BAR_MODEL = 'smollm-135m-shape';

interface RssResult {
  createMs: number;
  peakRssMb: number;
}

type Shape = readonly [number, number];

/** variant → per shape (in the order asked) → ms of each measured run, in rotation order. */
type RunTimes = Record<string, number[][]>;

/** Child for memory: one variant alone, one pass per shape; its peak RSS is that variant's. */
async function rssChild(
  modelDir: string,
  variant: string,
  shapes: readonly Shape[],
  threads: number,
): Promise<RssResult> {
  const model = await loadModel(modelDir);
  const started = performance.now();
  const engine = await Engine.create(model, { ...variantOptions(variant), ep: 'cpu', threads });
  const createMs = performance.now() - started;
  const params = engine.initialParams();
  for (const [b, t] of shapes) await engine.forward(makeBatch(b, t, model.config.vocab), params);
  await engine.dispose();
  return { createMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/**
 * Child for speed: every variant's engine in one process, runs interleaved (A B C D, B C D A, ...), so a
 * slow burst of the machine hits all variants alike instead of whichever ran during it.
 */
async function timingChild(
  modelDir: string,
  variants: string[],
  shapes: readonly Shape[],
  runs: number,
  threads: number,
) {
  const model = await loadModel(modelDir);
  const engines = [];
  for (const v of variants) {
    const engine = await Engine.create(model, { ...variantOptions(v), ep: 'cpu', threads });
    engines.push({ v, engine, params: engine.initialParams() });
  }
  const result: RunTimes = Object.fromEntries(variants.map((v) => [v, []]));
  for (const [b, t] of shapes) {
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
    for (const v of variants) result[v]?.push(times.get(v) ?? []);
    // Progress on stderr (passed through by the parent), so a run cut short still leaves numbers; every
    // run is listed because on a shared VM one slow burst can double a run.
    const list = (v: string) => (times.get(v) ?? []).map((ms) => ms.toFixed(0)).join(' ');
    const medians = variants.map((v) => `${v} ${median(times.get(v) ?? []).toFixed(1)} ms [${list(v)}]`);
    process.stderr.write(`  ${b}×${t}: ${medians.join(', ')} (load average ${loadAverage()})\n`);
  }
  for (const { engine } of engines) await engine.dispose();
  return result;
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

function parseShape(text: string): Shape {
  const [b, t] = text.split('x').map(Number);
  if (!b || !t || !Number.isInteger(b) || !Number.isInteger(t))
    throw new Error(`--shape "${text}": expected BxT, e.g. 16x64`);
  return [b, t];
}

const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      child: { type: 'boolean' },
      variant: { type: 'string' },
      variants: { type: 'string' },
      rounds: { type: 'string' },
      runs: { type: 'string', default: '5' },
      threads: { type: 'string', default: String(Math.min(os.availableParallelism(), 2)) },
      quick: { type: 'boolean' },
      smoke: { type: 'boolean' },
      'no-memory': { type: 'boolean' },
      profile: { type: 'string' },
      shape: { type: 'string', default: '16x64' },
      shapes: { type: 'string', default: SHAPES.map(([b, t]) => `${b}x${t}`).join(',') },
    },
  });
  const shapes = values.shapes.split(',').map(parseShape);
  const [runs, threads] = [Number(values.runs), Number(values.threads)];
  if (values.child) {
    const [kind, dir] = positionals as [string, string];
    const result =
      kind === 'rss'
        ? await rssChild(dir, values.variant as string, shapes, threads)
        : await timingChild(dir, (values.variants as string).split(','), shapes, runs, threads);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (values.profile) {
    const variants = (values.variants ?? BAR_VARIANTS.join(',')).split(',');
    await profileVariants({
      outDir: values.profile,
      variants,
      shape: parseShape(values.shape),
      runs,
      threads,
    });
    return;
  }

  const variants = values.variants?.split(',') ?? (values.quick ? BAR_VARIANTS : Object.keys(VARIANTS));
  variants.forEach(variantOptions);
  // --quick and --smoke default to one round; an explicit --rounds still wins.
  const rounds = Number(values.rounds ?? (values.quick || values.smoke ? 1 : 2));
  const measureMemory = !values['no-memory'] && !values.quick;
  const startLoad = loadAverage();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'zo-bench-smollm-'));
  try {
    const models: [string, string][] = [];
    if (!values.quick)
      models.push([
        'stories260k',
        path.resolve(import.meta.dirname, '../../../shared/fixtures/models/stories260k'),
      ]);
    if (!values.smoke) {
      process.stderr.write('writing a random-weight SmolLM-135M-shaped model...\n');
      writeRandomSmolLm(tmp);
      models.push([BAR_MODEL, tmp]);
    }
    const results = new Map<string, ModelResult>();
    for (const [name, dir] of models) {
      const rss: Record<string, RssResult> = {};
      for (const v of measureMemory ? variants : []) {
        const args = ['rss', dir, '--variant', v, '--shapes', values.shapes];
        rss[v] = runChild<RssResult>([...args, '--threads', String(threads)]);
        process.stderr.write(
          `${name} ${v}: peak RSS ${Math.round(rss[v].peakRssMb)} MiB, create ${Math.round(rss[v].createMs)} ms\n`,
        );
      }
      const perRound: RunTimes[] = [];
      for (let round = 0; round < rounds; round++) {
        const args = ['timing', dir, '--variants', variants.join(','), '--shapes', values.shapes];
        args.push('--runs', String(runs));
        perRound.push(runChild<RunTimes>([...args, '--threads', String(threads)]));
        process.stderr.write(`${name} round ${round + 1}/${rounds} done (load average ${loadAverage()})\n`);
      }
      results.set(name, { rss, perRound });
    }
    const header = `CPU EP, ${threads} intra-op threads; median of ${runs} interleaved runs after ${WARMUP_RUNS} warm-up, best of ${rounds} round(s); load average at start ${startLoad}, at end ${loadAverage()}; ${os.cpus()[0]?.model ?? 'unknown CPU'}`;
    process.stdout.write(report(header, variants, shapes, results));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface ModelResult {
  rss: Record<string, RssResult>;
  perRound: RunTimes[];
}

function report(
  header: string,
  variants: string[],
  shapes: readonly Shape[],
  results: Map<string, ModelResult>,
): string {
  const lines = [
    header,
    '| model | variant | B×T | forward ms | tokens/s | ratio to best | peak RSS MiB | create ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const bars: string[] = [];
  for (const [model, { rss, perRound }] of results) {
    shapes.forEach(([b, t], i) => {
      const runsOf = (v: string, round: RunTimes) => round[v]?.[i] ?? [];
      const best = (v: string) => Math.min(...perRound.map((round) => median(runsOf(v, round))));
      const fastest = Math.min(...variants.map(best));
      for (const v of variants) {
        const ms = best(v);
        const r = rss[v];
        const [peak, create] = r ? [Math.round(r.peakRssMb), Math.round(r.createMs)] : ['–', '–'];
        lines.push(
          `| ${model} | ${v} | ${b}×${t} | ${ms.toFixed(1)} | ${Math.round((b * t * 1000) / ms)} | ${(ms / fastest).toFixed(3)} | ${peak} | ${create} |`,
        );
      }
      if (model !== BAR_MODEL) return;
      for (const bar of BARS) {
        if (!variants.includes('lora') || !variants.includes(bar.over)) continue;
        const paired = perRound.flatMap((round) => {
          const over = runsOf(bar.over, round);
          return runsOf('lora', round).map((ms, run) => ms / (over[run] ?? NaN));
        });
        const ratio = median(paired);
        const ofMedians = best('lora') / best(bar.over);
        bars.push(
          `${b}×${t}: ${bar.name} = ${ratio.toFixed(3)} (median of ${paired.length} paired runs; ratio of medians ${ofMedians.toFixed(3)}) bar ≤ ${bar.limit.toFixed(2)} ${ratio <= bar.limit ? 'PASS' : 'FAIL'}`,
        );
      }
    });
  }
  if (bars.length > 0) lines.push('', `bars on ${BAR_MODEL}:`, ...bars);
  return `${lines.join('\n')}\n`;
}

await main();
