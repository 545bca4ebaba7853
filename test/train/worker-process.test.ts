// The training worker in a child process (the shape of Electron's utilityProcess): it trains through
// the same port protocol, and when the process dies mid-run the host survives, marks the run failed,
// and the run resumes from its checkpoint onto the trajectory of an uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingManager } from '../../core/train/manager.ts';
import { forkWorkerProcess, spawnWorkerThread, type WorkerHandle } from '../../core/train/worker-host.ts';
import { sherlockConfig, tempHistory, type TempHistory } from './helpers.ts';

let history: TempHistory;
let manager: TrainingManager;
const workers: WorkerHandle[] = [];

beforeAll(() => {
  history = tempHistory();
  manager = new TrainingManager({
    store: history.store,
    progressIntervalMs: 0,
    spawn: () => {
      const worker = forkWorkerProcess();
      workers.push(worker);
      return worker;
    },
  });
});

afterAll(async () => {
  await manager.shutdown();
  history.dispose();
});

const losses = (runId: string): number[] =>
  history.store.metricSeries(runId, 'train_loss').map((p) => p.value);

describe('training worker in a child process', () => {
  it('survives the death of its worker process and resumes on the same trajectory', async () => {
    const config = sherlockConfig({ budget: { steps: 20 }, checkpoint: { everySteps: 5, keep: 10 } });
    let runId = '';
    const stop = manager.subscribe((id, events) => {
      if (id === runId && events.some((e) => e.kind === 'checkpoint' && e.step >= 10)) {
        stop();
        void workers.at(-1)?.terminate();
      }
    });
    runId = manager.start(config);
    const crashed = await manager.waitForEnd(runId);
    expect(crashed.status).toBe('failed');
    expect(crashed.message).toMatch(
      /the training worker stopped unexpectedly: training worker process exited with SIGTERM/,
    );
    expect(history.store.requireRun(runId).status).toBe('failed');

    manager.resume(runId);
    const resumed = await manager.waitForEnd(runId);
    expect(resumed).toMatchObject({ status: 'completed', steps: 20 });

    // The uninterrupted reference, in a worker thread this time: the host kind does not matter.
    const reference = new TrainingManager({ store: history.store, spawn: () => spawnWorkerThread() });
    const referenceId = reference.start(config);
    expect((await reference.waitForEnd(referenceId)).status).toBe('completed');
    expect(losses(runId)).toHaveLength(20);
    expect(losses(runId)).toEqual(losses(referenceId));
  });
});
