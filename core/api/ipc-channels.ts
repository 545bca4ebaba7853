// Electron IPC channel names, in their own file so the preload bundle stays free of zod.
export const ipcChannels = { call: 'zo:call', event: 'zo:event' } as const;
