// `zo-studio data preview` and `zo-studio eval` through the real CLI (bin/zo-studio.js), as a user runs them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetsDir, stories260k } from './helpers/paths.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'zo-data-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/zo-studio.js', ...args], {
      cwd: root,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('zo-studio data preview', () => {
  it('prints rows, columns, task and rendered examples with token counts as JSON', async () => {
    const { code, stdout, stderr } = await cli(
      'data',
      'preview',
      path.join(datasetsDir, 'sst2'),
      '--rows',
      '2',
      '--model',
      stories260k,
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const preview = JSON.parse(stdout) as {
      rows: number;
      columns: string[];
      task: string;
      examples: { prompt: string; target: string; tokens: number }[];
    };
    expect(preview).toMatchObject({ rows: 500, columns: ['id', 'text', 'label'], task: 'sst2' });
    expect(preview.examples).toHaveLength(2);
    expect(preview.examples[0]?.prompt).toMatch(/ It was$/);
    expect([' terrible', ' great']).toContain(preview.examples[0]?.target);
    expect(preview.examples[0]?.tokens).toBeGreaterThan(5);
  });

  it('a CSV with an explicit task and column mapping', async () => {
    const file = path.join(dir, 'pairs.csv');
    writeFileSync(file, 'sentence1,sentence2,gold\nA man sleeps.,Someone rests.,entailment\n');
    const { code, stdout } = await cli(
      'data',
      'preview',
      file,
      '--task',
      'rte',
      '--map',
      'premise=sentence1',
      '--map',
      'hypothesis=sentence2',
      '--map',
      'label=gold',
      '--json',
    );
    expect(code).toBe(0);
    const preview = JSON.parse(stdout) as {
      rows: number;
      mapping: Record<string, string>;
      examples: { prompt: string; target: string }[];
    };
    expect(preview.rows).toBe(1);
    expect(preview.mapping).toEqual({ premise: 'sentence1', hypothesis: 'sentence2', label: 'gold' });
    expect(preview.examples[0]).toMatchObject({
      prompt: 'A man sleeps.\nDoes this mean that "Someone rests." is true? Yes or No?\n',
      target: 'Yes',
    });
  });

  it('bad rows: exit 1 naming file and row, or --skip-bad-rows with a warning', async () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, '{"text": "fine", "label": 1}\n{"text": "odd", "label": "maybe"}\n');
    const failed = await cli('data', 'preview', file, '--task', 'sst2', '--json');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${file} row 2: field "label": is "maybe"`);
    const skipped = await cli('data', 'preview', file, '--task', 'sst2', '--skip-bad-rows', '--json');
    expect(skipped.code).toBe(0);
    const preview = JSON.parse(skipped.stdout) as { rows: number; examples: unknown[]; warnings: string[] };
    expect(preview.examples).toHaveLength(1);
    expect(preview.rows).toBe(2);
    expect(preview.warnings).toContain('1 bad rows skipped');
  });

  it('usage errors exit 2 with the usage text', async () => {
    const { code, stderr } = await cli('data', 'preview');
    expect(code).toBe(2);
    expect(stderr).toContain('expected exactly one PATH or hf:ID');
    expect(stderr).toContain('usage: zo-studio data');
  });
});

describe('zo-studio data kshot', () => {
  it('writes k rows per class for train and the next k for validation, the same for the same seed', async () => {
    const sample = async (out: string, seed: string) => {
      const result = await cli(
        'data',
        'kshot',
        path.join(datasetsDir, 'sst5'),
        '--k',
        '4',
        '--seed',
        seed,
        '--out',
        out,
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('sst5: 20 train and 20 validation rows (k=4, seed ' + seed + ')');
      const read = (name: string) =>
        readFileSync(path.join(out, name), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { id: string; label: number });
      return { train: read('train.jsonl'), validation: read('validation.jsonl') };
    };
    const first = await sample(path.join(dir, 'k4-a'), '13');
    for (let label = 0; label < 5; label++)
      expect(first.train.filter((row) => row.label === label)).toHaveLength(4);
    const trainIds = new Set(first.train.map((row) => row.id));
    expect(first.validation.some((row) => trainIds.has(row.id))).toBe(false);
    expect(await sample(path.join(dir, 'k4-b'), '13')).toEqual(first);
    expect((await sample(path.join(dir, 'k4-c'), '21')).train).not.toEqual(first.train);
    // The folder is a dataset in its own right: its dataset.json keeps the label names and the task.
    const preview = await cli('data', 'preview', path.join(dir, 'k4-a'), '--split', 'train', '--json');
    expect(JSON.parse(preview.stdout)).toMatchObject({ rows: 20, task: 'sst5' });
  });
});

describe('zo-studio eval', () => {
  it('reports the zero-shot metric of stories260k on COPA as JSON', async () => {
    const { code, stdout, stderr } = await cli(
      'eval',
      '--model',
      stories260k,
      '--data',
      path.join(datasetsDir, 'copa'),
      '--rows',
      '16',
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      task: 'copa',
      metric: 'accuracy',
      examples: 16,
      split: 'validation',
      ep: 'cpu',
      forwardPasses: 2,
    });
    expect(result.value).toBe((result.metrics as Record<string, number>).accuracy);
  });

  it('prints a one-line summary, and refuses an unknown execution provider', async () => {
    const { code, stdout } = await cli(
      'eval',
      '--model',
      stories260k,
      '--data',
      path.join(datasetsDir, 'sst2'),
      '--rows',
      '8',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^accuracy \d\.\d{4} \(sst2, validation split, 8 examples, loss \d+\.\d{4}, 1 forward pass on cpu/,
    );
    const bad = await cli(
      'eval',
      '--model',
      stories260k,
      '--data',
      path.join(datasetsDir, 'sst2'),
      '--ep',
      'tpu',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown execution provider "tpu"');
  });
});
