import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLock, releaseRunLock } from '../../core/train/run-lock.ts';

const dirs: string[] = [];
const runDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zo-lock-'));
  dirs.push(dir);
  return path.join(dir, 'run');
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('run lock', () => {
  it('refuses a run another live process trains, and takes over a dead owner', async () => {
    const dir = runDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      acquireRunLock(dir, 'r1');
      writeFileSync(path.join(dir, 'owner.pid'), String(other.pid));
      expect(() => acquireRunLock(dir, 'r1')).toThrow(`run r1 is being trained by process ${other.pid}`);
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    // Its owner was killed: the lock is stale and simply taken over.
    acquireRunLock(dir, 'r1');
    expect(readFileSync(path.join(dir, 'owner.pid'), 'utf8')).toBe(String(process.pid));
    releaseRunLock(dir);
    expect(existsSync(path.join(dir, 'owner.pid'))).toBe(false);
  });
});
