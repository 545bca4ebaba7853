// Hub downloads started through the API, against a local stand-in for the Hub (HF_ENDPOINT): the
// progress events, the final folder, and a failure that names the problem.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchCall } from '../../core/api/dispatch.ts';
import type { ApiEventOf } from '../../core/api/events.ts';
import { startBackend, type Backend } from '../../core/server/start-backend.ts';
import { startFakeHub, type FakeHub } from '../hub/fake-hub.ts';

const stories = join(import.meta.dirname, '../../../shared/fixtures/models/stories260k');
let hub: FakeHub;
let backend: Backend;
let dataDir: string;
const previousEndpoint = process.env.HF_ENDPOINT;

beforeAll(async () => {
  hub = await startFakeHub();
  hub.addModel('karpathy/stories260k', stories);
  process.env.HF_ENDPOINT = hub.endpoint;
  dataDir = await mkdtemp(join(tmpdir(), 'zo-dl-'));
  backend = await startBackend(dataDir);
});
afterAll(async () => {
  process.env.HF_ENDPOINT = previousEndpoint;
  await hub.close();
  await backend.close();
  await rm(dataDir, { recursive: true, force: true });
});

function finalEvent(downloadId: string, seen: ApiEventOf<'download.progress'>[]) {
  return new Promise<ApiEventOf<'download.progress'>>((resolveDone) => {
    const stop = backend.context.events.subscribe((event) => {
      if (event.kind !== 'download.progress' || event.downloadId !== downloadId) return;
      seen.push(event);
      if (event.state !== 'running') {
        stop();
        resolveDone(event);
      }
    });
  });
}

describe('models.download / datasets.download', () => {
  it('downloads a model into the data dir with progress and hands back a loadable folder', async () => {
    const started = await dispatchCall(backend.handlers, 'models.download', { id: 'karpathy/stories260k' });
    if (!started.ok) throw new Error(started.error.message);
    const { downloadId } = started.value as { downloadId: string };
    const seen: ApiEventOf<'download.progress'>[] = [];
    const done = await finalEvent(downloadId, seen);
    expect(done.state).toBe('done');
    expect(done.result).toContain(join(dataDir, 'hub'));
    expect(existsSync(join(done.result!, 'config.json'))).toBe(true);
    const inspected = await dispatchCall(backend.handlers, 'models.inspect', { dir: done.result });
    expect(inspected).toMatchObject({ ok: true, value: { family: 'llama' } });
    expect(done.loadedBytes).toBeGreaterThan(0);
  });

  it('reports a failed download with the reason instead of hanging', async () => {
    const started = await dispatchCall(backend.handlers, 'models.download', { id: 'nobody/missing' });
    const { downloadId } = (started as { value: { downloadId: string } }).value;
    const done = await finalEvent(downloadId, []);
    expect(done.state).toBe('failed');
    expect(done.result).toMatch(/nobody\/missing/);
  });

  it('refuses dataset ids that are not hf: sources and bad model ids', async () => {
    expect(
      await dispatchCall(backend.handlers, 'datasets.download', { source: '/tmp/x.jsonl' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('hf:owner/name') },
    });
    expect(await dispatchCall(backend.handlers, 'models.download', { id: '../etc' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
  });

  it('lists the built-in tasks', async () => {
    const result = await dispatchCall(backend.handlers, 'datasets.tasks', {});
    const ids = result.ok ? (result.value as { tasks: { id: string }[] }).tasks.map((t) => t.id) : [];
    expect(ids).toEqual(expect.arrayContaining(['classification', 'lm', 'sst2', 'squad']));
  });
});
