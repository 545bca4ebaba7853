// `zo-studio train` from flags alone (the quick-use path) and `resume`, through the real CLI: the
// JSON stream's shape, the readable display, and errors that name the bad flag or field.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sherlock, stories260k, tempHistory } from './helpers.ts';

const cli = path.resolve(import.meta.dirname, '../../bin/zo-studio.js');
const history = tempHistory();
afterAll(() => history.dispose());

function zo(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args, '--db', history.dbPath], {
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const quickRun = [
  '--model',
  stories260k,
  '--train',
  path.join(sherlock, 'train.jsonl'),
  '--validation',
  path.join(sherlock, 'validation.jsonl'),
  '--task',
  'lm',
  '--peft',
  'lora',
  '--estimator',
  'mezo',
  '--steps',
  '6',
  '--batch',
  '4',
  '--lr',
  '1e-3',
  '--eps',
  '1e-2',
  '--seed',
  '3',
  '--eval-every',
  '3',
  '--eval-rows',
  '8',
  '--max-length',
  '32',
];

/** `args` without the given flags and their values. */
function withoutFlags(args: readonly string[], ...flags: string[]): string[] {
  return args.filter((arg, i) => !flags.includes(arg) && !flags.includes(args[i - 1] ?? ''));
}

describe('zo-studio train / resume', () => {
  it('trains from flags and ends the JSON stream with the summary line', () => {
    const { code, stdout, stderr } = zo('train', ...quickRun, '--json');
    expect(code, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = lines.at(-1) as Record<string, unknown>;
    expect(summary).toMatchObject({ type: 'summary', status: 'completed', steps: 6, forward_passes: 12 });
    expect(summary.run_id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(Object.keys(summary.metrics as object)).toEqual(
      expect.arrayContaining(['val_loss_initial', 'val_loss_final']),
    );
    expect(lines.every((line) => line.run_id === summary.run_id)).toBe(true);
    expect(lines.find((line) => line.type === 'eval' && line.is_baseline === true)).toBeDefined();
    const config = history.store.requireRun(summary.run_id as string).config as Record<string, unknown>;
    expect(config).toMatchObject({
      lr: 1e-3,
      seed: 3,
      batchSize: 4,
      estimator: { id: 'mezo', settings: { eps: 1e-2 } },
    });

    // A completed run has nothing to resume.
    const again = zo('resume', summary.run_id as string);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is already completed; fork it to train further/);
  });

  it('reads a run.json whose paths are relative to the file, and flags override it', () => {
    const configFile = path.join(history.dir, 'configs', 'run.json');
    mkdirSync(path.dirname(configFile), { recursive: true });
    const relative = (to: string) => path.relative(path.dirname(configFile), to);
    writeFileSync(
      configFile,
      JSON.stringify({
        model: relative(stories260k),
        data: {
          train: relative(path.join(sherlock, 'train.jsonl')),
          task: 'lm',
          maxLength: 32,
          trainRows: 40,
        },
        lr: 1e-3,
        budget: { steps: 50 },
        batchSize: 4,
        eval: { everySteps: 2, rows: 4 },
      }),
    );
    const { code, stdout, stderr } = zo('train', '--config', configFile, '--steps', '2', '--json');
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
      run_id: string;
      steps: number;
    };
    expect(summary.steps).toBe(2);
    const config = history.store.requireRun(summary.run_id).config as {
      model: string;
      data: { train: string };
    };
    expect(config.model).toBe(stories260k);
    expect(config.data.train).toBe(path.join(sherlock, 'train.jsonl'));
  });

  it('shows readable progress without --json', () => {
    const { code, stdout } = zo('train', ...quickRun, '--steps', '3', '--eval-every', '3');
    expect(code).toBe(0);
    expect(stdout).toMatch(/baseline \(zero-shot\): loss \d+\.\d{4}/);
    expect(stdout).toMatch(/step 3\/3 +loss \d+\.\d{4}/);
    expect(stdout).toMatch(/run \S+ completed \(budget\) after 3 steps, 6 forward passes/);
  });

  it('turns Ctrl-C into a cancel after a last checkpoint', async () => {
    const child = spawn(process.execPath, [
      cli,
      'train',
      ...quickRun,
      '--steps',
      '100000',
      '--json',
      '--db',
      history.dbPath,
    ]);
    const lines: Record<string, unknown>[] = [];
    let isInterrupted = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      lines.push(event);
      // Step events are coalesced (≤ 10/s), so "step 2" itself may never be printed.
      if (event.type === 'step' && (event.step as number) >= 2 && !isInterrupted) {
        isInterrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    const summary = lines.at(-1) as Record<string, unknown>;
    expect(summary).toMatchObject({ type: 'summary', status: 'cancelled' });
    expect(lines).toContainEqual(
      expect.objectContaining({ type: 'checkpoint', reason: 'cancel', step: summary.steps }),
    );
    expect(history.store.requireRun(summary.run_id as string).status).toBe('cancelled');
  });

  it("fills a missing lr and ε from the estimator's suggestion for the PEFT mode, and says so", () => {
    const withoutLrEps = withoutFlags(quickRun, '--lr', '--eps');
    const { code, stdout, stderr } = zo('train', ...withoutLrEps, '--steps', '2', '--json');
    expect(code, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // MeZO's LoRA row (App. E): lr 1e-4, ε 1e-2; the run's first event says so.
    expect(lines[0]).toMatchObject({
      type: 'notice',
      message: expect.stringMatching(
        /^lr 0\.0001 and eps 0\.01 not given: using mezo's suggestion for lora runs \(MeZO/,
      ),
    });
    expect(lines.find((line) => line.type === 'step')).toMatchObject({ learning_rate: 1e-4 });
    const runId = (lines.at(-1) as { run_id: string }).run_id;
    expect(history.store.requireRun(runId).config).toMatchObject({
      lr: 1e-4,
      estimator: { id: 'mezo', settings: { eps: 1e-2 } },
    });

    // run.json without lr: prefix tuning's suggestion; its own ε stays.
    const configFile = path.join(history.dir, 'no-lr.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        model: stories260k,
        data: { train: path.join(sherlock, 'train.jsonl'), task: 'lm', maxLength: 32, trainRows: 24 },
        peft: { mode: 'prefix' },
        estimator: { id: 'mezo', settings: { eps: 0.05 } },
        budget: { steps: 1 },
        batchSize: 4,
        eval: { everySteps: 1, rows: 4 },
      }),
    );
    const readable = zo('train', '--config', configFile);
    expect(readable.code, readable.stderr).toBe(0);
    expect(readable.stdout).toMatch(/^note: lr 0\.01 not given: using mezo's suggestion for prefix runs/m);
    const readableRunId = /^run (\S+) completed/m.exec(readable.stdout)?.[1] ?? '';
    expect(history.store.requireRun(readableRunId).config).toMatchObject({
      lr: 1e-2,
      estimator: { settings: { eps: 0.05 } },
    });

    // No suggestion to fall back on: the error says what to set.
    const noSuggestion = zo('train', ...withoutLrEps, '--estimator', 'interpolation');
    expect(noSuggestion.code).toBe(1);
    expect(noSuggestion.stderr).toMatch(
      /no learning rate given, and estimator interpolation has no suggested one for lora runs \(it has suggestions for: no PEFT mode\); set "lr" \(--lr\)/,
    );
  });

  it('names the bad flag, field or id', () => {
    const badNumber = zo('train', ...quickRun, '--lr', 'fast');
    expect(badNumber.code).toBe(1);
    expect(badNumber.stderr).toMatch(/--lr must be a number, got "fast"/);

    const noModel = zo('train', '--train', 'x.jsonl', '--steps', '3', '--lr', '1e-3');
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/command-line flags: invalid run config[\s\S]*model/);

    const badEstimator = zo('train', ...quickRun, '--estimator', 'adamw');
    expect(badEstimator.code).toBe(1);
    expect(badEstimator.stderr).toMatch(/unknown estimator "adamw"; expected one of: mezo, /);

    const unknownFlag = zo('train', '--learning-rate', '1');
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/Unknown option '--learning-rate'[\s\S]*usage: zo-studio train/);

    const noRun = zo('resume', 'nope');
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toMatch(/no run with id "nope"/);
  });
});
