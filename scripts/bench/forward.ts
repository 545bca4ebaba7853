// Forward-pass benchmark: `npm run bench -- forward [--rounds 2] [--runs 5] [--threads 2] [--quick]`.
// Models: stories260k (fixture) and a random-weight model of SmolLM-135M's shape written here as a temp
// HF folder. Variants (all CPU EP):
//   initializers  frozen weights as initializers, fused contrib norms (the engine's default CPU build)
//   full          every weight a graph input (full-parameter ZO)
//   lora          initializers + LoRA r8 α16 on q_proj, v_proj as inputs
//   plain         initializers, plain ONNX ops only (the probe's reference build)
// Each (model, variant) runs in its own child process so peak RSS is its own; rounds interleave the
// variants and the best median per cell is kept (this VM has multi-second slow bursts; see ort-probe.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../../core/models/load.ts';
import { writeSafetensors, type TensorToWrite } from '../../core/models/safetensors/write.ts';
import type { EngineOptions } from '../../core/runtime/engine.ts';
import { Engine } from '../../core/runtime/engine.ts';

const VARIANTS: Record<string, Omit<EngineOptions, 'threads'>> = {
  initializers: { peft: { kind: 'none' }, fused: true },
  full: { peft: { kind: 'full' }, fused: true },
  lora: { peft: { kind: 'lora', rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'] }, fused: true },
  plain: { peft: { kind: 'none' }, fused: false },
};
const SHAPES = [
  [16, 64],
  [8, 256],
] as const;
const WARMUP_RUNS = 2;

const SMOLLM_135M = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  hidden_act: 'silu',
  max_position_embeddings: 2048,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: true,
  vocab_size: 49152,
  torch_dtype: 'float32',
};

/** Uniform values with std 0.02 (HF's initializer_range) from a seeded xorshift; norms are ones. */
function randomTensor(count: number, seed: number): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const bound = 0.02 * Math.sqrt(3);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * bound;
  }
  return out;
}

function writeRandomSmolLm(dir: string): void {
  const c = SMOLLM_135M;
  const [h, inter, kv] = [
    c.hidden_size,
    c.intermediate_size,
    (c.hidden_size / c.num_attention_heads) * c.num_key_value_heads,
  ];
  const tensors: TensorToWrite[] = [];
  const add = (name: string, shape: number[], ones = false) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const seed = tensors.length + 1;
    tensors.push({
      name,
      dtype: 'float32',
      shape,
      data: () => (ones ? new Float32Array(count).fill(1) : randomTensor(count, seed)),
    });
  };
  add('model.embed_tokens.weight', [c.vocab_size, h]);
  add('model.norm.weight', [h], true);
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const at = `model.layers.${l}.`;
    add(`${at}input_layernorm.weight`, [h], true);
    add(`${at}post_attention_layernorm.weight`, [h], true);
    add(`${at}self_attn.q_proj.weight`, [h, h]);
    add(`${at}self_attn.k_proj.weight`, [kv, h]);
    add(`${at}self_attn.v_proj.weight`, [kv, h]);
    add(`${at}self_attn.o_proj.weight`, [h, h]);
    add(`${at}mlp.gate_proj.weight`, [inter, h]);
    add(`${at}mlp.up_proj.weight`, [inter, h]);
    add(`${at}mlp.down_proj.weight`, [h, inter]);
  }
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c, null, 2));
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
}

interface ChildResult {
  createMs: number;
  peakRssMb: number;
  shapes: { batch: number; seqLen: number; medianMs: number }[];
}

/** Child: one (model, variant); prints a ChildResult as JSON on its last stdout line. */
async function child(modelDir: string, variant: string, runs: number, threads: number): Promise<void> {
  const model = await loadModel(modelDir);
  const options = VARIANTS[variant];
  if (!options) throw new Error(`unknown variant ${variant}`);
  const started = performance.now();
  const engine = await Engine.create(model, { ...options, ep: 'cpu', threads });
  const createMs = performance.now() - started;
  const params = engine.initialParams();
  const shapes: ChildResult['shapes'] = [];
  for (const [batch, seqLen] of SHAPES) {
    // Token ids spread over the vocabulary; their values do not affect the cost of a pass.
    const ids = BigInt64Array.from({ length: batch * seqLen }, (_, i) =>
      BigInt((i * 7919 + 13) % model.config.vocab),
    );
    const feed = {
      batch,
      seqLen,
      inputIds: ids,
      attentionMask: new BigInt64Array(ids.length).fill(1n),
      labels: ids,
    };
    const times: number[] = [];
    for (let i = 0; i < WARMUP_RUNS + runs; i++) {
      const t = performance.now();
      await engine.forward(feed, params);
      if (i >= WARMUP_RUNS) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    shapes.push({ batch, seqLen, medianMs: times[Math.floor(times.length / 2)] as number });
  }
  await engine.dispose();
  const result: ChildResult = { createMs, peakRssMb: process.resourceUsage().maxRSS / 1024, shapes };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(modelDir: string, variant: string, runs: number, threads: number): ChildResult {
  const args = [
    '--import',
    'tsx',
    import.meta.filename,
    '--child',
    modelDir,
    '--variant',
    variant,
    '--runs',
    String(runs),
    '--threads',
    String(threads),
  ];
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`bench child ${variant} on ${modelDir} failed:\n${out.stderr}`);
  const last = out.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as ChildResult;
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
    },
  });
  const [runs, threads] = [Number(values.runs), Number(values.threads)];
  if (values.child) return child(positionals[0] as string, values.variant as string, runs, threads);

  const rounds = values.quick ? 1 : Number(values.rounds);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'zo-bench-smollm-'));
  try {
    process.stderr.write('writing a random-weight SmolLM-135M-shaped model...\n');
    writeRandomSmolLm(tmp);
    const models: [string, string][] = [
      ['stories260k', path.resolve(import.meta.dirname, '../../../shared/fixtures/models/stories260k')],
      ['smollm-135m-shape', tmp],
    ];
    const best = new Map<string, ChildResult>();
    for (let round = 0; round < rounds; round++) {
      for (const [name, dir] of models) {
        for (const variant of Object.keys(VARIANTS)) {
          process.stderr.write(`round ${round + 1}/${rounds}: ${name} ${variant}\n`);
          const result = runChild(dir, variant, runs, threads);
          const times = result.shapes
            .map((x) => `${x.batch}×${x.seqLen} ${x.medianMs.toFixed(1)} ms`)
            .join(', ');
          process.stderr.write(`  ${times}; peak RSS ${Math.round(result.peakRssMb)} MiB\n`);
          const key = `${name}|${variant}`;
          const prev = best.get(key);
          // Best median per shape across rounds; RSS and create time from the same child as 16x64.
          if (!prev) best.set(key, result);
          else
            prev.shapes.forEach(
              (s, i) => (s.medianMs = Math.min(s.medianMs, result.shapes[i]?.medianMs ?? Infinity)),
            );
        }
      }
    }
    report(
      models.map(([name]) => name),
      best,
      threads,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function report(models: string[], best: Map<string, ChildResult>, threads: number): void {
  const lines = [
    `CPU EP, ${threads} intra-op threads, median of runs (best of rounds)`,
    '| model | variant | B×T | forward ms | tokens/s | ratio to best | peak RSS MiB | create ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const checks: string[] = [];
  for (const model of models) {
    SHAPES.forEach(([b, t], i) => {
      const cells = Object.keys(VARIANTS).map((v) => ({ v, r: best.get(`${model}|${v}`) as ChildResult }));
      const ms = (v: string) => cells.find((c) => c.v === v)?.r.shapes[i]?.medianMs ?? NaN;
      const fastest = Math.min(...cells.map((c) => ms(c.v)));
      for (const { v, r } of cells) {
        const m = ms(v);
        lines.push(
          `| ${model} | ${v} | ${b}×${t} | ${m.toFixed(1)} | ${Math.round((b * t * 1000) / m)} | ${(m / fastest).toFixed(3)} | ${Math.round(r.peakRssMb)} | ${Math.round(r.createMs)} |`,
        );
      }
      if (model !== 'stories260k') {
        const loraVsInit = ms('lora') / ms('initializers');
        checks.push(
          `${b}×${t}: lora / initializers = ${loraVsInit.toFixed(3)} (bar ≤ 1.05) ${loraVsInit <= 1.05 ? 'PASS' : 'FAIL'}`,
        );
        const loraVsPlain = ms('lora') / ms('plain');
        checks.push(
          `${b}×${t}: lora / plain = ${loraVsPlain.toFixed(3)} (bar ≤ 1.00) ${loraVsPlain <= 1 ? 'PASS' : 'FAIL'}`,
        );
      }
    });
  }
  process.stdout.write(`${lines.join('\n')}\n\nbars on smollm-135m-shape:\n${checks.join('\n')}\n`);
}

await main();
