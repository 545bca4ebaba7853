// The worker host with the real backend worker in worker_threads: calls round-trip, a crashed worker
// fails the calls in flight and is restarted, a crash loop stops with a clear message, events relay.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendHost } from '../../electron/main/backend-host.ts';
import { workerThreadHandle, type WorkerHandle } from '../../electron/main/worker-port.ts';

const entry = join(import.meta.dirname, 'fixtures/backend-worker-thread.ts');
let dataDir: string;
const workers: Worker[] = [];

function spawnReal(): WorkerHandle {
  // tsx compiles the TypeScript worker, as electron-vite does for the packaged app.
  const worker = new Worker(entry, { execArgv: ['--import', 'tsx'] });
  workers.push(worker);
  return workerThreadHandle(worker);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zo-host-'));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('BackendHost', () => {
  it('round-trips calls through the real backend in a worker thread', async () => {
    const host = new BackendHost({ spawn: spawnReal, dataDir });
    expect(await host.call('system.info', {})).toMatchObject({ ok: true, value: { dataDir } });
    expect(await host.call('files.check', { path: dataDir, expect: 'dir' })).toMatchObject({
      ok: true,
      value: { ok: true },
    });
    expect(await host.call('nope.nope', {})).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    host.close();
  });

  it('restarts a worker that dies and keeps serving', async () => {
    const host = new BackendHost({ spawn: spawnReal, dataDir });
    expect(await host.call('system.info', {})).toMatchObject({ ok: true });
    const first = workers.at(-1)!;
    const exited = new Promise((r) => first.once('exit', r));
    await first.terminate();
    await exited;
    expect(workers.length).toBeGreaterThanOrEqual(2);
    expect(await host.call('settings.get', {})).toMatchObject({ ok: true, value: { dataDir } });
    host.close();
  });

  it('gives up with a message after a crash loop, and fails in-flight calls instead of hanging', async () => {
    let spawned = 0;
    const crashing = (): WorkerHandle => {
      spawned++;
      let onExit: (code: number) => void = () => undefined;
      setTimeout(() => onExit(134), 5);
      return {
        post: () => undefined,
        onMessage: () => undefined,
        onExit: (l) => void (onExit = l),
        kill: () => undefined,
      };
    };
    const host = new BackendHost({ spawn: crashing, dataDir, maxRestarts: 2 });
    const result = await host.call('system.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(spawned).toBe(3);
    expect(await host.call('system.info', {})).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('keeps exiting') },
    });
  });

  it('relays validated events to every listener and drops malformed ones', async () => {
    let emit: (message: unknown) => void = () => undefined;
    const scripted = (): WorkerHandle => ({
      post: (message) => {
        if ((message as { type: string }).type === 'init') setTimeout(() => emit({ type: 'ready' }), 1);
      },
      onMessage: (listener) => void (emit = listener),
      onExit: () => undefined,
      kill: () => undefined,
    });
    const host = new BackendHost({ spawn: scripted, dataDir });
    const seen: string[] = [];
    const stop = host.onEvent((event) => seen.push(event.kind));
    host.onEvent(() => seen.push('second'));
    emit({ type: 'event', event: { kind: 'run.status', runId: 'r', status: 'running' } });
    emit({ type: 'event', event: { kind: 'run.bogus', runId: 'r' } });
    stop();
    emit({ type: 'event', event: { kind: 'run.status', runId: 'r', status: 'paused' } });
    expect(seen).toEqual(['run.status', 'second', 'second']);
    host.close();
  });
});
