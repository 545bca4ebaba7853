// The IPC door: only the app's top frame may call, only known methods cross, payloads are validated
// by the real dispatcher behind it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchCall } from '../../core/api/dispatch.ts';
import { ipcChannels } from '../../core/api/ipc-channels.ts';
import type { CallResult } from '../../core/api/protocol.ts';
import { startBackend, type Backend } from '../../core/server/start-backend.ts';
import { registerApiIpc, type IpcMainLike, type IpcSenderFrame } from '../../electron/main/ipc.ts';

const appUrl = 'file:///app/out/renderer/index.html';
type Listener = Parameters<IpcMainLike['handle']>[1];
const registered = new Map<string, Listener>();
const ipcMain: IpcMainLike = {
  handle: (channel, listener) => void registered.set(channel, listener),
  removeHandler: (channel) => void registered.delete(channel),
};
let dataDir: string;
let backend: Backend;
let forwarded: string[] = [];
let unregister: () => void;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zo-ipc-'));
  backend = await startBackend(dataDir);
  const { handlers } = backend;
  unregister = registerApiIpc(ipcMain, appUrl, (method, payload) => {
    forwarded.push(method);
    return dispatchCall(handlers, method, payload);
  });
});
afterAll(async () => {
  await backend.close();
  await rm(dataDir, { recursive: true, force: true });
});

function invoke(frame: IpcSenderFrame | null, method: unknown, payload: unknown): Promise<CallResult> {
  const listener = registered.get(ipcChannels.call);
  if (!listener) throw new Error('no handler registered');
  return listener({ senderFrame: frame }, method, payload);
}

describe('API IPC handler', () => {
  it('registers exactly one channel', () => {
    expect([...registered.keys()]).toEqual([ipcChannels.call]);
  });

  it('serves the app frame', async () => {
    forwarded = [];
    const result = await invoke({ url: `${appUrl}#/settings`, isMainFrame: true }, 'settings.get', {});
    expect(result).toMatchObject({ ok: true, value: { dataDir } });
    expect(forwarded).toEqual(['settings.get']);
  });

  it('refuses sub-frames, foreign pages and destroyed frames before reaching the backend', async () => {
    forwarded = [];
    for (const frame of [
      { url: appUrl, isMainFrame: false },
      { url: 'https://evil.example/', isMainFrame: true },
      null,
    ]) {
      const result = await invoke(frame, 'system.info', {});
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'invalid_request', message: expect.stringContaining('untrusted frame') },
      });
    }
    expect(forwarded).toEqual([]);
  });

  it('refuses unknown methods before the backend and bad payloads at the backend', async () => {
    forwarded = [];
    expect(await invoke({ url: appUrl, isMainFrame: true }, 'child_process.exec', {})).toMatchObject({
      ok: false,
    });
    expect(forwarded).toEqual([]);
    const bad = await invoke({ url: appUrl, isMainFrame: true }, 'files.list', { path: 42 });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('path') },
    });
  });

  it('unregisters', () => {
    unregister();
    expect(registered.size).toBe(0);
  });
});
