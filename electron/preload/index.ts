// The preload: exposes exactly the typed transport as `window.zo` (call + onEvent) and nothing of
// Node or Electron. Bundled to one CommonJS file (a sandboxed preload cannot load modules).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ZoBridge } from '../../core/api/bridge.ts';
import type { CallResult } from '../../core/api/protocol.ts';
import { ipcChannels } from '../../core/api/ipc-channels.ts';

const bridge = {
  call: (method: string, payload: unknown) =>
    ipcRenderer.invoke(ipcChannels.call, method, payload) as Promise<CallResult>,
  onEvent: (listener: (event: unknown) => void) => {
    const relay = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(ipcChannels.event, relay);
    return () => void ipcRenderer.removeListener(ipcChannels.event, relay);
  },
} satisfies ZoBridge;

contextBridge.exposeInMainWorld('zo', bridge);
