// `npm run bench -- forward --profile DIR`: ORT's per-node profiler on the 135M shape at one B×T. The
// variants' engines live in one process and their runs interleave (as in the timing mode); each
// session writes its own profile into DIR, and the kernel ms per run are printed side by side, by op
// type and by node (all layers summed), sorted by how much the variants differ.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModel } from '../../../core/models/load.ts';
import { Engine } from '../../../core/runtime/engine.ts';
import { variantOptions } from './forward-variants.ts';
import { compareTable, summarizeProfile, type ProfileSummary } from './ort-profile.ts';
import { makeBatch, writeRandomSmolLm } from './smollm-shape.ts';

export interface ProfileRequest {
  outDir: string;
  variants: string[];
  shape: readonly [number, number];
  runs: number;
  threads: number;
}

export async function profileVariants({ outDir, variants, shape, runs, threads }: ProfileRequest) {
  const [b, t] = shape;
  variants.forEach(variantOptions); // unknown names fail before the model is written
  mkdirSync(outDir, { recursive: true });
  const modelDir = mkdtempSync(path.join(os.tmpdir(), 'zo-bench-smollm-'));
  try {
    writeRandomSmolLm(modelDir);
    const model = await loadModel(modelDir);
    const engines = [];
    for (const v of variants) {
      const profilePrefix = path.join(outDir, `${v}-${b}x${t}`);
      const engine = await Engine.create(model, { ...variantOptions(v), ep: 'cpu', threads, profilePrefix });
      engines.push({ engine, params: engine.initialParams() });
    }
    const feed = makeBatch(b, t, model.config.vocab);
    for (let r = 0; r < 1 + runs; r++) {
      for (let k = 0; k < engines.length; k++) {
        const { engine, params } = engines[(r + k) % engines.length] as (typeof engines)[number];
        await engine.forward(feed, params);
      }
    }
    for (const { engine } of engines) await engine.dispose(); // writes the profiles
    const summaries = new Map<string, ProfileSummary>();
    for (const v of variants) {
      const file = readdirSync(outDir)
        .filter((f) => f.startsWith(`${v}-${b}x${t}_`) && f.endsWith('.json'))
        .sort()
        .pop();
      if (!file) throw new Error(`no ORT profile for ${v} in ${outDir}`);
      summaries.set(v, summarizeProfile(path.join(outDir, file), 1));
    }
    const column = (pick: (s: ProfileSummary) => Map<string, number>) =>
      new Map([...summaries].map(([v, s]) => [v, pick(s)]));
    const walls = [...summaries].map(([v, s]) => `${v} ${s.runMs.toFixed(0)} ms`).join(', ');
    const load = os.loadavg().map((x) => x.toFixed(2));
    process.stdout.write(
      [
        `ORT profile, 135M shape ${b}×${t}, ${threads} threads, mean of ${runs} interleaved runs after 1 warm-up; load average ${load.join(' ')}`,
        `model_run: ${walls}`,
        '',
        compareTable(
          'op type (ms/run)',
          column((s) => s.byOp),
          30,
        ),
        '',
        compareTable(
          'node, all layers (ms/run)',
          column((s) => s.byNode),
          40,
        ),
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(modelDir, { recursive: true, force: true });
  }
}
