// `zo-studio runs list|show|compare|tag|note|delete` through the real CLI (bin/zo-studio.js) against a
// real database given with --db and with ZO_STUDIO_DB.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../core/store/run-store.ts';

const cli = resolve(import.meta.dirname, '../../bin/zo-studio.js');
let dir: string;
let db: string;

async function zo(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zo-runs-cli-'));
  db = join(dir, 'history.sqlite');
  const store = RunStore.open(db);
  const base = {
    modelDir: '/models/stories260k',
    dataset: 'sst2',
    task: 'sst2',
    peft: 'lora',
    estimator: 'mezo',
  };
  store.createRun({
    ...base,
    id: 'run-a',
    name: 'lr 1e-3',
    config: { lr: 1e-3, seed: 0, peft: { rank: 8 } },
  });
  store.createRun({
    ...base,
    id: 'run-b',
    name: 'lr 1e-4',
    estimator: 'lozo',
    config: { lr: 1e-4, seed: 0, peft: { rank: 8 } },
  });
  store.appendMetrics(
    'run-a',
    [1, 2, 3].map((step) => ({
      name: 'train_loss',
      step,
      forwardPasses: 2 * step,
      wallMs: step,
      value: 3 - step / 10,
    })),
  );
  store.appendMetrics(
    'run-b',
    [1, 2].map((step) => ({
      name: 'train_loss',
      step,
      forwardPasses: 4 * step,
      wallMs: step,
      value: 3 - step / 5,
    })),
  );
  store.updateStatus('run-a', 'completed');
  store.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('zo-studio runs', () => {
  it('lists runs as a table and as JSON, with filters', async () => {
    const table = await zo(['runs', 'list', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^id\s+name\s+status\s+model\s+peft\s+estimator\s+created\s+train loss\s+val loss/,
    );
    expect(table.stdout).toMatch(
      /run-a\s+lr 1e-3\s+completed\s+stories260k\s+lora\s+mezo\s+\S+ \S+\s+2\.7000/,
    );
    const json = await zo(['runs', 'list', '--json', '--status', 'completed'], { ZO_STUDIO_DB: db });
    const runs = JSON.parse(json.stdout) as { id: string; finalMetrics: Record<string, { value: number }> }[];
    expect(runs.map((r) => r.id)).toEqual(['run-a']);
    expect(runs[0]?.finalMetrics.train_loss?.value).toBeCloseTo(2.7);
  });

  it('shows one run and compares runs', async () => {
    const show = await zo(['runs', 'show', 'run-b', '--db', db]);
    expect(show.stdout).toMatch(/status {5}created/);
    expect(show.stdout).toMatch(/train_loss\s+2\.6000\s+\(step 2, 8 forward passes\)/);

    const compare = await zo([
      'runs',
      'compare',
      'run-a',
      'run-b',
      '--metric',
      'train_loss',
      '--axis',
      'forward_passes',
      '--json',
      '--db',
      db,
    ]);
    const result = JSON.parse(compare.stdout) as {
      configDiff: { key: string; values: unknown[] }[];
      series: { x: number[] };
    };
    expect(result.configDiff).toEqual([{ key: 'lr', values: [1e-3, 1e-4], differs: true }]);
    expect(result.series.x).toEqual([2, 4, 6, 8]);
    const text = await zo(['runs', 'compare', 'run-a', 'run-b', '--db', db]);
    expect(text.stdout).toMatch(/settings that differ\n\s+run-a\s+run-b\nlr\s+0\.001\s+0\.0001/);
  });

  it('tags, notes and deletes', async () => {
    expect((await zo(['runs', 'tag', 'run-b', 'keeper', '--db', db])).stdout).toBe('run-b tags: keeper\n');
    await zo(['runs', 'note', 'run-b', 'try a lower eps', '--db', db]);
    expect((await zo(['runs', 'show', 'run-b', '--db', db])).stdout).toMatch(/note {7}.*: try a lower eps/);
    expect((await zo(['runs', 'delete', 'run-b', '--db', db])).code).toBe(0);
    const missing = await zo(['runs', 'show', 'run-b', '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'zo-studio runs: run history: no run with id "run-b" (list them with `zo-studio runs list`)\n',
    );
  });

  it('explains usage mistakes and unusable databases', async () => {
    const usage = await zo(['runs', 'compare', 'run-a', '--db', db]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/compare takes two or more run ids/);
    const bad = await zo(['runs', 'list', '--status', 'done', '--db', db]);
    expect(bad.stderr).toMatch(/--status done is not one of: created, running/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const unwritable = await zo(['runs', 'list', '--db', join(file, 'h.sqlite')]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(
      /Cannot open the run history at .*a-file\/h\.sqlite: .* is a file, not a folder/,
    );
  });

  it('reports a corrupt database it moved aside, then works on a fresh one', async () => {
    const corrupt = join(dir, 'corrupt.sqlite');
    writeFileSync(corrupt, 'garbage '.repeat(100));
    const result = await zo(['runs', 'list', '--db', corrupt]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /zo-studio: The run history .*corrupt\.sqlite was unreadable .* moved to .*corrupt\.sqlite\.corrupt-/,
    );
    expect(result.stdout).toMatch(/no runs yet/);
  });
});
