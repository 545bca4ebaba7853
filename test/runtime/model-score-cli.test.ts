// `zo-studio model score` through the real CLI (bin/zo-studio.js), checked against reference.json.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { webgpu } from '../helpers/webgpu.ts';
import { ATOL, MODELS, readReference } from '../parity/reference-fixture.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function score(args: string[]) {
  return run(process.execPath, [path.join(ROOT, 'bin/zo-studio.js'), 'model', 'score', ...args], {
    cwd: ROOT,
  });
}

describe('zo-studio model score', () => {
  it.each([
    ['stories260k', 'cpu'],
    ['tiny-random-qwen2', 'cpu'],
    ...(webgpu.available ? [['stories260k', 'webgpu']] : []),
  ])('%s --ep %s --json reproduces reference.json', async (name, ep) => {
    const prompt = readReference(name).prompts[1];
    if (!prompt) throw new Error('reference prompt missing');
    const { stdout } = await score([path.join(MODELS, name), '--text', prompt.text, '--ep', ep, '--json']);
    const result = JSON.parse(stdout) as {
      ids: number[];
      tokens: string[];
      mean_nll: number;
      last_logits_head: number[];
      ep: string;
    };
    expect(result.ids).toEqual(prompt.ids);
    expect(result.tokens).toHaveLength(prompt.ids.length);
    expect(result.ep).toBe(ep);
    expect(Math.abs(result.mean_nll - prompt.mean_nll)).toBeLessThan(ATOL);
    result.last_logits_head.forEach((v, i) =>
      expect(Math.abs(v - prompt.last_logits_first16[i]!)).toBeLessThan(ATOL),
    );
  });

  it('fails with a usage message on a bad provider and a clear error on a missing folder', async () => {
    await expect(
      score([path.join(MODELS, 'stories260k'), '--text', 'hi', '--ep', 'tpu']),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'unknown execution provider "tpu"; expected one of: auto, cpu, webgpu, cuda',
      ),
    });
    await expect(score(['/no/such/model', '--text', 'hi'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('/no/such/model'),
    });
  });
});
