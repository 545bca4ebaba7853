// Packaging as far as this machine allows: `electron-builder --linux --dir` with a stub Electron (no
// Electron binary can be downloaded here; see shared/research/electron-toolchain.md §1). Checks the
// asar layout, that native modules are unpacked, and that only this platform's binaries ship.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../e2e/build.ts';
import { projectRoot } from '../server/serve-process.ts';

let workDir: string;
let unpacked: string;

beforeAll(async () => {
  ensureBuilt();
  workDir = await mkdtemp(join(tmpdir(), 'zo-package-'));
  const stub = join(workDir, 'electron-stub');
  await mkdir(stub);
  await writeFile(
    join(stub, 'electron'),
    '#!/bin/sh\necho "stub Electron: CI cannot run Electron" >&2\nexit 1\n',
  );
  await chmod(join(stub, 'electron'), 0o755);
  await promisify(execFile)(
    process.execPath,
    [
      join(projectRoot, 'node_modules/electron-builder/cli.js'),
      '--linux',
      '--dir',
      `-c.electronDist=${stub}`,
      `-c.directories.output=${join(workDir, 'dist')}`,
    ],
    { cwd: projectRoot, timeout: 90_000 },
  );
  unpacked = join(workDir, 'dist/linux-unpacked/resources');
});
afterAll(() => rm(workDir, { recursive: true, force: true }));

describe('electron-builder --linux --dir', () => {
  it('packs the built app, preload, renderer, workers and task definitions into the asar', () => {
    const files = new Set(listPackage(join(unpacked, 'app.asar'), { isPack: false }));
    for (const file of [
      '/out/main/index.js',
      '/out/main/backend-process.js',
      '/out/main/run-worker.js',
      '/out/main/cli.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/resources/tasks/sst2.json',
      '/package.json',
    ]) {
      expect(files.has(file), file).toBe(true);
    }
    // Renderer libraries are bundled by Vite; packing them again would only add weight.
    expect([...files].some((file) => file.startsWith('/node_modules/react/'))).toBe(false);
    expect([...files].some((file) => file.startsWith('/node_modules/@mui/'))).toBe(false);
  });

  it('unpacks native modules, for this platform only', () => {
    const sqlite = join(unpacked, 'app.asar.unpacked/node_modules/better-sqlite3/prebuilds');
    expect(readdirSync(sqlite)).toEqual(['linux-x64.node']);
    const ort = join(unpacked, 'app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6');
    expect(readdirSync(ort)).toEqual(['linux']);
    expect(readdirSync(join(ort, 'linux'))).toEqual(['x64']);
    expect(existsSync(join(ort, 'linux/x64/onnxruntime_binding.node'))).toBe(true);
  });
});
