// The packaged app cannot run TypeScript: its backend starts training workers from the bundled
// out/main/run-worker.js. This trains a short run through that bundle, as Electron's backend does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../core/api/client.ts';
import { dispatchCall } from '../../core/api/dispatch.ts';
import type { ApiEvent } from '../../core/api/events.ts';
import { startBackend, type Backend } from '../../core/server/start-backend.ts';
import { bundledRunWorker, spawnWorkerThread } from '../../core/train/worker-host.ts';
import { ensureBuilt } from '../e2e/build.ts';
import { quickRun } from '../server/fixtures.ts';
import { projectRoot } from '../server/serve-process.ts';

let backend: Backend;
let dataDir: string;

beforeAll(async () => {
  ensureBuilt();
  dataDir = await mkdtemp(join(tmpdir(), 'zo-bundle-'));
  backend = await startBackend(dataDir, {
    spawnTrainingWorker: () => spawnWorkerThread(join(projectRoot, 'out/main/run-worker.js')),
  });
});
afterAll(async () => {
  await backend.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('bundled training worker', () => {
  it('is what code running from out/main uses, and source code does not', () => {
    expect(bundledRunWorker(join(projectRoot, 'out', 'main', 'chunks'))).toBe(
      join(projectRoot, 'out/main/run-worker.js'),
    );
    expect(bundledRunWorker(join(projectRoot, 'core', 'server'))).toBeUndefined();
  });

  it('trains a run to completion', async () => {
    const api = createApiClient({
      call: (method, payload) => dispatchCall(backend.handlers, method, payload),
      onEvent: (listener) => backend.context.events.subscribe(listener),
    });
    const statuses: string[] = [];
    const done = new Promise<void>((resolveDone) =>
      api.on((event: ApiEvent) => {
        if (event.kind !== 'run.status') return;
        statuses.push(event.status);
        if (event.status === 'completed' || event.status === 'failed') resolveDone();
      }),
    );
    const { runId } = await api.call('training.start', quickRun({ budget: { steps: 2 } }));
    await done;
    expect(statuses).toEqual(['running', 'completed']);
    expect((await api.call('runs.get', { id: runId })).run.steps).toBe(2);
  });
});
