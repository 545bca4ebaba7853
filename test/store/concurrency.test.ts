// Two training processes writing to one run history at once (WAL + busy timeout): neither loses a point
// nor fails with SQLITE_BUSY.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RunStore } from '../../core/store/run-store.ts';

const writer = join(import.meta.dirname, 'fixtures', 'metrics-writer.ts');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zo-store-concurrent-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runWriter(
  dbPath: string,
  runId: string,
  batches: number,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dbPath, runId, String(batches)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

it('two processes create one database and append metrics to it concurrently without losing any', async () => {
  const dbPath = join(dir, 'runs.sqlite');
  // No database yet: both processes create and migrate it at the same moment, then write.
  const batches = 150;
  const results = await Promise.all([
    runWriter(dbPath, 'first', batches),
    runWriter(dbPath, 'second', batches),
  ]);
  for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });

  const store = RunStore.open(dbPath);
  try {
    for (const runId of ['first', 'second']) {
      expect(store.requireRun(runId).status).toBe('completed');
      const series = store.metricSeries(runId, 'loss');
      expect(series).toHaveLength(batches * 10);
      expect(series.at(-1)).toMatchObject({ step: batches * 10 - 1, value: 1 / (batches * 10) });
    }
  } finally {
    store.close();
  }
});
