// One process trains a run at a time. The process that launches a run's worker leaves its PID in
// `<run dir>/owner.pid`; a second `resume` (from the CLI while the studio trains it, say) is refused
// while that process lives. A lock left by a killed process is stale and simply taken over — that is
// the kill -9 → resume path.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'owner.pid';

export function acquireRunLock(runDir: string, runId: string): void {
  const path = join(runDir, LOCK_FILE);
  const owner = readOwner(path);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new Error(`run ${runId} is being trained by process ${owner}; pause or cancel it there first`);
  }
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path, String(process.pid));
}

export function releaseRunLock(runDir: string): void {
  const path = join(runDir, LOCK_FILE);
  if (readOwner(path) === process.pid) rmSync(path, { force: true });
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
