// Runs the real CLI (bin/zo-studio.js through tsx) as a user would.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { copyConfig, FIXTURE_MODELS, MODELS_DIR } from './checkpoint-files.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/zo-studio.js', ...args], {
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('zo-studio model inspect', () => {
  it('prints one JSON summary per fixture', async () => {
    // One process for all fixtures would hide per-folder failures; five short runs stay well under a minute.
    const results = await Promise.all(
      FIXTURE_MODELS.map((name) => cli('model', 'inspect', path.join(MODELS_DIR, name), '--json')),
    );
    const summaries = results.map(({ code, stdout, stderr }) => {
      expect(stderr).toBe('');
      expect(code).toBe(0);
      return JSON.parse(stdout) as Record<string, unknown>;
    });
    expect(
      summaries.map(({ family, parameters, layers, hidden, vocab, dtype }) => ({
        family,
        parameters,
        layers,
        hidden,
        vocab,
        dtype,
      })),
    ).toEqual([
      { family: 'llama', parameters: 260032, layers: 5, hidden: 64, vocab: 512, dtype: 'float32' },
      { family: 'gpt2', parameters: 133888, layers: 2, hidden: 64, vocab: 400, dtype: 'float32' },
      { family: 'llama', parameters: 158016, layers: 2, hidden: 64, vocab: 512, dtype: 'float32' },
      { family: 'opt', parameters: 133440, layers: 3, hidden: 64, vocab: 384, dtype: 'float16' },
      { family: 'llama', parameters: 119360, layers: 2, hidden: 64, vocab: 512, dtype: 'bfloat16' },
    ]);
  });

  it('prints a readable table without --json', async () => {
    const { code, stdout } = await cli('model', 'inspect', path.join(MODELS_DIR, 'stories260k'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^parameters {2}260,032$/m);
    expect(stdout).toMatch(/^heads {7}8 query \/ 4 key-value$/m);
  });

  it('reports bad input in one line, without a stack trace', async () => {
    const dir = copyConfig('stories260k');
    writeFileSync(path.join(dir, 'model.safetensors'), Buffer.from('not a checkpoint'));
    const { code, stdout, stderr } = await cli('model', 'inspect', dir);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const [line, ...rest] = stderr.split('\n');
    expect(rest).toEqual(['']);
    expect(line).toContain(`zo-studio model inspect: ${path.join(dir, 'model.safetensors')}: header length `);
    expect(line).toMatch(
      /is impossible for a 16-byte file; this is not a safetensors file or it is truncated$/,
    );
  });

  it('rejects a missing folder argument with usage', async () => {
    const { code, stderr } = await cli('model', 'inspect');
    expect(code).toBe(2);
    expect(stderr).toMatch(/expected exactly one model folder/);
  });
});
