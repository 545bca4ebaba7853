// `zo-studio model download` as a user runs it: a child process against a local fake Hub.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../models/checkpoint-files.ts';
import { startFakeHub, type FakeHub } from './fake-hub.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let hub: FakeHub;
let cacheDir: string;

beforeEach(async () => {
  hub = await startFakeHub();
  hub.addModel('karpathy/stories260k', path.join(MODELS_DIR, 'stories260k'));
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'zo-hub-cli-'));
});

afterEach(async () => {
  await hub.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, HF_ENDPOINT: hub.endpoint, ZO_STUDIO_CACHE: cacheDir };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/zo-studio.js', ...args], {
      cwd: ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('zo-studio model download', () => {
  it('downloads into the cache, prints the folder, and the folder inspects as the model', async () => {
    hub.dropAfter('model.safetensors', 500_000);
    const { code, stdout, stderr } = await cli(
      'model',
      'download',
      'karpathy/stories260k',
      '--cache-dir',
      cacheDir,
    );
    expect(code).toBe(0);
    const dir = stdout.trim();
    expect(dir).toBe(path.join(cacheDir, 'models--karpathy--stories260k', 'main'));
    expect(stderr).toMatch(/^model.safetensors {2}1\.2 MB \/ 1\.2 MB {2}done$/m);
    expect(
      readFileSync(path.join(dir, 'model.safetensors')).equals(
        readFileSync(path.join(MODELS_DIR, 'stories260k', 'model.safetensors')),
      ),
    ).toBe(true);
    const inspected = await cli('model', 'inspect', dir, '--json');
    expect(JSON.parse(inspected.stdout)).toMatchObject({ family: 'llama', parameters: 260032 });
  });

  it('defaults the cache to $ZO_STUDIO_CACHE/hub', async () => {
    const { code, stdout } = await cli('model', 'download', 'karpathy/stories260k');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(path.join(cacheDir, 'hub', 'models--karpathy--stories260k', 'main'));
  });

  it('reports a missing repo in one line with exit code 1', async () => {
    const { code, stdout, stderr } = await cli(
      'model',
      'download',
      'nobody/nothing',
      '--cache-dir',
      cacheDir,
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `zo-studio model download: nobody/nothing: not found on ${hub.endpoint} (check the repo id)\n`,
    );
  });
});
