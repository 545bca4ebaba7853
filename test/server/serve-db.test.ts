// `zo-studio serve --db PATH` opens the same run history `zo-studio train --db PATH` writes, so runs
// trained from the command line are listed in the studio.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RunStore } from '../../core/store/run-store.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

let dir: string;
let serve: ServeProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zo-serve-db-'));
  const store = RunStore.open(join(dir, 'history.sqlite'));
  store.createRun({
    id: 'cli-run',
    name: 'trained from the CLI',
    modelDir: '/models/m',
    dataset: 'sherlock',
    task: 'lm',
    peft: 'lora',
    estimator: 'mezo',
    config: {},
    status: 'completed',
  });
  store.close();
});
afterAll(async () => {
  await serve?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('lists the runs of the database named by --db', async () => {
  serve = await startServe(['--db', join(dir, 'history.sqlite')]);
  const response = await fetch(`${serve.origin}/api/runs.list?token=${serve.token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: serve.origin },
    body: '{}',
  });
  const body = (await response.json()) as { ok: boolean; value: { runs: { id: string; name: string }[] } };
  expect(body.ok).toBe(true);
  expect(body.value.runs.map((run) => run.id)).toEqual(['cli-run']);
});
