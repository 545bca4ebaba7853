// The contract end to end without a network: typed client → dispatcher → real handlers (node:os,
// the filesystem, settings.json), plus compile-time checks that wrong payloads and event kinds fail.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient, type Transport } from '../../core/api/client.ts';
import { dispatchCall } from '../../core/api/dispatch.ts';
import { ApiError } from '../../core/api/errors.ts';
import { apiEventSchema, type ApiEvent } from '../../core/api/events.ts';
import { apiMethods, type Handlers } from '../../core/api/methods.ts';
import { startBackend, type Backend } from '../../core/server/start-backend.ts';

let dataDir: string;
let handlers: Handlers;
let backend: Backend;
let client: ApiClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zo-contract-'));
  backend = await startBackend(dataDir);
  ({ handlers } = backend);
  const transport: Transport = {
    call: (method, payload) => dispatchCall(handlers, method, payload),
    onEvent: () => () => undefined,
  };
  client = createApiClient(transport);
});
afterAll(async () => {
  await backend.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('API contract', () => {
  it('has a handler for every method and a help text for each', () => {
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(apiMethods).sort());
    for (const [name, spec] of Object.entries(apiMethods)) expect(spec.help.length, name).toBeGreaterThan(10);
  });

  it('answers system.info with this machine', async () => {
    const info = await client.call('system.info', {});
    expect(info.dataDir).toBe(dataDir);
    expect(info.cpuCount).toBeGreaterThan(0);
    expect(info.totalMemoryBytes).toBeGreaterThan(info.freeMemoryBytes);
  });

  it('probes the execution providers: CPU always starts, the others say why not', async () => {
    const { providers } = await client.call('system.providers', {});
    expect(providers.map((p) => p.name)).toEqual(['cpu', 'webgpu', 'cuda']);
    expect(providers[0]).toMatchObject({ name: 'cpu', available: true });
    for (const provider of providers)
      if (!provider.available) expect(provider.detail.length).toBeGreaterThan(10);
  });

  it('lists a directory folders first and checks typed paths', async () => {
    const fixtures = join(import.meta.dirname, '../../../shared/fixtures');
    const listing = await client.call('files.list', { path: fixtures });
    const kinds = listing.entries.map((entry) => entry.kind);
    expect(kinds.indexOf('file')).toBeGreaterThan(kinds.lastIndexOf('dir'));
    expect(listing.entries.map((e) => e.name)).toContain('models');
    const asFile = await client.call('files.check', { path: join(fixtures, 'models'), expect: 'file' });
    expect(asFile).toMatchObject({ exists: true, kind: 'dir', ok: false });
    expect(asFile.message).toContain('is not a file');
    await expect(client.call('files.list', { path: join(fixtures, 'nope') })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('persists settings and names the field of a bad value', async () => {
    const saved = await client.call('settings.update', { executionProvider: 'webgpu', threads: 2 });
    expect(saved.settings).toEqual({ executionProvider: 'webgpu', threads: 2, theme: 'system' });
    expect((await client.call('settings.get', {})).settings.threads).toBe(2);
    const result = await dispatchCall(handlers, 'settings.update', { threads: -1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(!result.ok && result.error.message).toMatch(/^settings\.update: threads:/);
  });

  it('reports a hand-broken settings file instead of replacing it', async () => {
    await writeFile(join(dataDir, 'settings.json'), '{"threads": "many"}');
    await expect(client.call('settings.get', {})).rejects.toThrow(
      /settings\.json: threads: .*fix or delete it/,
    );
    await rm(join(dataDir, 'settings.json'));
  });

  it('inspects the stories260k fixture through core/models', async () => {
    const info = await client.call('models.inspect', {
      dir: join(import.meta.dirname, '../../../shared/fixtures/models/stories260k'),
    });
    expect(info).toMatchObject({ family: 'llama', modelType: 'llama' });
    expect(info.parameters).toBeGreaterThan(200_000);
    expect(info.sizeBytes).toBeGreaterThan(0);
    await expect(client.call('models.inspect', { dir: dataDir })).rejects.toThrow(/config\.json/);
  });

  it('previews a fixture dataset with detected task, mapping and token counts', async () => {
    const fixtures = join(import.meta.dirname, '../../../shared/fixtures');
    const preview = await client.call('datasets.preview', {
      source: join(fixtures, 'datasets/sst2/train.jsonl'),
      rows: 3,
      modelDir: join(fixtures, 'models/stories260k'),
    });
    expect(preview).toMatchObject({ task: 'sst2', mapping: { text: 'text', label: 'label' } });
    expect(preview.rows).toBeGreaterThan(100);
    expect(preview.examples).toHaveLength(3);
    expect(preview.examples[0]!.tokens).toBeGreaterThan(0);
    await expect(client.call('datasets.preview', { source: join(fixtures, 'nope.jsonl') })).rejects.toThrow(
      /nope\.jsonl/,
    );
  });

  it('lets training.start leave lr to the estimator suggestion, and still names a bad lr', () => {
    const start = apiMethods['training.start'].request;
    const config = { model: '/m', data: { train: '/t.jsonl', task: 'lm' }, budget: { steps: 1 } };
    expect(start.safeParse(config).success).toBe(true);
    const bad = start.safeParse({ ...config, lr: -1 });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('"lr"');
  });

  it('refuses unknown and prototype method names', async () => {
    expect(await dispatchCall(handlers, 'system.shell', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await dispatchCall(handlers, '__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
  });

  it('validates the client side before sending', async () => {
    // @ts-expect-error threads must be a number
    const wrong = client.call('settings.update', { threads: 'two' });
    await expect(wrong).rejects.toBeInstanceOf(ApiError);
    // @ts-expect-error no such method
    await expect(client.call('system.reboot', {})).rejects.toThrow();
  });

  it('types events by kind and rejects unknown kinds at runtime', () => {
    const step: ApiEvent = {
      kind: 'run.step',
      runId: 'r1',
      step: 1,
      forwardPasses: 2,
      elapsedMs: 10,
      trainLoss: 1.5,
      learningRate: 1e-4,
      stepsPerSecond: 3,
      etaMs: null,
      memoryBytes: 1,
      device: 'cpu',
    };
    expect(apiEventSchema.parse(step)).toEqual(step);
    // @ts-expect-error unknown event kind
    const bogus: ApiEvent = { kind: 'run.exploded', runId: 'r1' };
    expect(apiEventSchema.safeParse(bogus).success).toBe(false);
  });
});
