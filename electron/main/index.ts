// Electron main process: one window, the backend in a utilityProcess, IPC relayed both ways.
// Kept thin: the policy (window-policy.ts), the IPC door (ipc.ts) and the worker host
// (backend-host.ts) hold the logic and are tested without Electron.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, session, shell, utilityProcess } from 'electron';
import { ipcChannels } from '../../core/api/ipc-channels.ts';
import { BackendHost } from './backend-host.ts';
import { registerApiIpc, type IpcMainLike } from './ipc.ts';
import { applyWindowPolicy, denyAllPermissions, secureWebPreferences } from './window-policy.ts';
import type { WorkerHandle } from './worker-port.ts';

const rendererDevUrl = process.env.ELECTRON_RENDERER_URL;
const appUrl = rendererDevUrl ?? pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href;

function spawnBackend(): WorkerHandle {
  const child = utilityProcess.fork(join(import.meta.dirname, 'backend-process.js'), [], {
    serviceName: 'ZO Studio engine',
  });
  return {
    post: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', listener),
    kill: () => void child.kill(),
  };
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1320,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    title: 'ZO Studio',
    show: false,
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  });
  applyWindowPolicy(window.webContents, appUrl, (url) => void shell.openExternal(url));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appUrl);
  return window;
}

if (!app.requestSingleInstanceLock()) app.quit();

void app.whenReady().then(() => {
  denyAllPermissions(session.defaultSession);
  const host = new BackendHost({ spawn: spawnBackend, dataDir: app.getPath('userData') });
  host.onEvent((event) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(ipcChannels.event, event);
  });
  const ipc: IpcMainLike = {
    handle: (channel, listener) =>
      ipcMain.handle(channel, (event, ...args) =>
        listener(
          {
            senderFrame: event.senderFrame
              ? { url: event.senderFrame.url, isMainFrame: event.senderFrame === event.sender.mainFrame }
              : null,
          },
          ...args,
        ),
      ),
    removeHandler: (channel) => ipcMain.removeHandler(channel),
  };
  registerApiIpc(ipc, appUrl, (method, payload) => host.call(method, payload));
  createWindow();
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
  // Runs live in the backend: closing the last window on macOS keeps them going (the app stays).
  app.on('window-all-closed', () => process.platform !== 'darwin' && app.quit());
  app.on('before-quit', () => host.close());
});
