// `zo-studio eval --adapter DIR`: an exported PEFT adapter is applied when evaluating through the real
// CLI (the loss moves away from the base model's), and one that does not fit the model is refused.
// That an imported adapter reproduces the loss exactly is checked in run-roundtrip.test.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writePeftAdapter } from '../../core/export/peft-adapter.ts';
import { loadModel } from '../../core/models/load.ts';
import { planPeft } from '../../core/peft/plan.ts';
import { MODELS, trainedParams } from './helpers.ts';

const cli = resolve(import.meta.dirname, '../../bin/zo-studio.js');
const model = join(MODELS, 'stories260k');
const data = resolve(MODELS, '../datasets/sherlock/validation.jsonl');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zo-eval-adapter-'));
  const loaded = await loadModel(model);
  const plan = planPeft(loaded, { kind: 'lora', rank: 4, alpha: 8 });
  writePeftAdapter(join(dir, 'adapter'), {
    model: loaded,
    plan,
    params: trainedParams(plan, 21, 0.2),
    baseModel: 'stories260k',
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function evalLoss(extra: string[]): Promise<number> {
  const args = [
    cli,
    'eval',
    '--model',
    model,
    '--data',
    data,
    '--task',
    'lm',
    '--rows',
    '8',
    '--max-length',
    '48',
    '--json',
    ...extra,
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args);
  return (JSON.parse(stdout) as { loss: number }).loss;
}

it('evaluates a model with an imported adapter', async () => {
  const [base, adapted] = await Promise.all([evalLoss([]), evalLoss(['--adapter', join(dir, 'adapter')])]);
  expect(Number.isFinite(base) && Number.isFinite(adapted)).toBe(true);
  expect(Math.abs(adapted - base)).toBeGreaterThan(1e-3);
});

it('explains an adapter that does not fit the model', async () => {
  const wrong = join(MODELS, 'tiny-random-gpt2');
  const failure = await promisify(execFile)(process.execPath, [
    cli,
    'eval',
    '--model',
    wrong,
    '--data',
    data,
    '--task',
    'lm',
    '--rows',
    '2',
    '--adapter',
    join(dir, 'adapter'),
  ]).catch((error: { code: number; stderr: string }) => error);
  expect(failure).toMatchObject({ code: 1 });
  expect((failure as { stderr: string }).stderr).toMatch(
    /zo-studio eval: .*adapter_config\.json: does not fit the model|adapter_model\.safetensors: /,
  );
});
