// The IPC door of the main process: one invoke channel for API calls and nothing else. A call is
// answered only for the app's own top-level frame; method and payload are validated by the backend
// (dispatchCall) and, before that, the method name here so junk never crosses into the worker.
import { isMethodName } from '../../core/api/methods.ts';
import { ipcChannels } from '../../core/api/ipc-channels.ts';
import type { CallResult } from '../../core/api/protocol.ts';
import { isAppUrl } from './window-policy.ts';

export interface IpcSenderFrame {
  url: string;
  /** True when the frame is its page's top frame (sub-frames never get the API). */
  isMainFrame: boolean;
}

export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: { senderFrame: IpcSenderFrame | null }, ...args: unknown[]) => Promise<CallResult>,
  ): void;
  removeHandler(channel: string): void;
}

export type CallBackend = (method: string, payload: unknown) => Promise<CallResult>;

export function registerApiIpc(ipcMain: IpcMainLike, appUrl: string, callBackend: CallBackend): () => void {
  ipcMain.handle(ipcChannels.call, async (event, method, payload) => {
    const frame = event.senderFrame;
    if (!frame || !frame.isMainFrame || !isAppUrl(frame.url, appUrl)) {
      return {
        ok: false,
        error: {
          code: 'invalid_request',
          message: `IPC from an untrusted frame (${frame?.url ?? 'gone'}) refused`,
        },
      };
    }
    if (!isMethodName(method)) {
      return {
        ok: false,
        error: { code: 'invalid_request', message: `unknown method ${JSON.stringify(method)}` },
      };
    }
    return callBackend(method, payload);
  });
  return () => ipcMain.removeHandler(ipcChannels.call);
}
