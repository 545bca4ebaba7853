// `zo-studio train --init-adapter DIR`: a run continues from an exported PEFT adapter. Its zero-shot
// baseline is the first run's final validation loss, its PEFT settings come from the adapter when
// left out, and settings that contradict the adapter are refused before any run is recorded.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingManager } from '../../core/train/manager.ts';
import { sherlock, sherlockConfig, stories260k, tempHistory } from './helpers.ts';

const cli = path.resolve(import.meta.dirname, '../../bin/zo-studio.js');
const history = tempHistory();
afterAll(() => history.dispose());

type Line = Record<string, unknown>;

function zo(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args, '--db', history.dbPath], {
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function jsonLines(stdout: string): Line[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

/** The same data and evaluation rows for both runs, so their validation losses compare. */
const shared = [
  '--model',
  stories260k,
  '--train',
  path.join(sherlock, 'train.jsonl'),
  '--validation',
  path.join(sherlock, 'validation.jsonl'),
  '--task',
  'lm',
  '--batch',
  '4',
  '--lr',
  '3e-3',
  '--eps',
  '1e-2',
  '--eval-rows',
  '8',
  '--max-length',
  '32',
];
const adapterDir = path.join(history.dir, 'adapter');
let firstFinalLoss: number;

beforeAll(() => {
  // A LoRA run with non-default settings (rank 4, α 8), so taking the adapter's settings is visible.
  const configFile = path.join(history.dir, 'lora-r4.json');
  writeFileSync(configFile, JSON.stringify({ peft: { mode: 'lora', rank: 4, alpha: 8 } }));
  const first = zo('train', '--config', configFile, ...shared, '--steps', '6', '--eval-every', '6', '--json');
  expect(first.code, first.stderr).toBe(0);
  const lines = jsonLines(first.stdout);
  const finalEval = lines.findLast((line) => line.type === 'eval') as {
    step: number;
    metrics: { loss: number };
  };
  expect(finalEval.step).toBe(6);
  firstFinalLoss = finalEval.metrics.loss;
  const firstBaseline = lines.find((line) => line.type === 'eval') as { metrics: { loss: number } };
  // Training moved the loss, so a run that ignored the adapter could not pass the comparison below.
  expect(Math.abs(firstBaseline.metrics.loss - firstFinalLoss)).toBeGreaterThan(1e-3);
  const runId = (lines.at(-1) as { run_id: string }).run_id;
  const exported = zo('export', runId, '--format', 'peft', '--out', adapterDir);
  expect(exported.code, exported.stderr).toBe(0);
});

describe('zo-studio train --init-adapter', () => {
  it("starts from the adapter's tensors and settings", () => {
    const { code, stdout, stderr } = zo(
      'train',
      ...shared,
      '--init-adapter',
      adapterDir,
      '--steps',
      '2',
      '--json',
    );
    expect(code, stderr).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines[0]).toMatchObject({
      type: 'notice',
      message: expect.stringMatching(
        new RegExp(
          `^PEFT settings taken from the adapter in ${adapterDir}: lora rank 4, alpha 8, targets \\S+`,
        ),
      ),
    });
    const baseline = lines.find((line) => line.type === 'eval' && line.is_baseline === true) as {
      metrics: { loss: number };
    };
    // The untrained LoRA (B = 0) would score the base model; the adapter's tensors score where run 1 ended.
    expect(Math.abs(baseline.metrics.loss - firstFinalLoss)).toBeLessThan(1e-5);
    const runId = (lines.at(-1) as { run_id: string; status: string }).run_id;
    expect(history.store.requireRun(runId).config).toMatchObject({
      initAdapter: adapterDir,
      peft: { mode: 'lora', rank: 4, alpha: 8 },
    });
  });

  it('refuses PEFT settings that contradict the adapter, naming the field', () => {
    const runsBefore = history.store.listRuns().length;
    const prefix = zo('train', ...shared, '--init-adapter', adapterDir, '--peft', 'prefix', '--steps', '2');
    expect(prefix.code).toBe(1);
    expect(prefix.stderr).toMatch(
      `the adapter in ${adapterDir} is a lora adapter; the run's peft mode is prefix; set the run's peft to match`,
    );

    const configFile = path.join(history.dir, 'lora-r8.json');
    writeFileSync(configFile, JSON.stringify({ peft: { mode: 'lora', rank: 8 } }));
    const rank = zo('train', '--config', configFile, ...shared, '--init-adapter', adapterDir, '--steps', '2');
    expect(rank.code).toBe(1);
    expect(rank.stderr).toMatch(/has rank 4; the run's peft\.rank is 8/);

    writeFileSync(configFile, JSON.stringify({ peft: { mode: 'lora', targets: ['o_proj'] } }));
    const targets = zo(
      'train',
      '--config',
      configFile,
      ...shared,
      '--init-adapter',
      adapterDir,
      '--steps',
      '2',
    );
    expect(targets.code).toBe(1);
    expect(targets.stderr).toMatch(/adapts a module the run's peft\.targets \[o_proj\] leaves out/);

    const missing = zo('train', ...shared, '--init-adapter', path.join(history.dir, 'nope'), '--steps', '2');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\/adapter_config\.json.*missing/);
    expect(history.store.listRuns()).toHaveLength(runsBefore);
  });

  it('fails a run started without the CLI (API, UI) whose settings contradict the adapter', async () => {
    const manager = new TrainingManager({ store: history.store });
    const runId = manager.start(
      sherlockConfig({
        initAdapter: adapterDir,
        peft: { mode: 'lora', rank: 2, alpha: 8 },
        budget: { steps: 1 },
      }),
    );
    const summary = await manager.waitForEnd(runId);
    expect(summary).toMatchObject({ status: 'failed', reason: 'error' });
    expect(summary.message).toBe(
      `initAdapter: the adapter in ${adapterDir} has rank 4; the run's peft.rank is 2; ` +
        "set the run's peft to match the adapter, or leave those settings out to take the adapter's",
    );
  });
});
