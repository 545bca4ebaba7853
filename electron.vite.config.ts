// Build of the three Electron targets plus the plain-Node CLI (`out/main/cli.js`, which backs
// `zo-studio serve` from the packaged app). See shared/research/electron-toolchain.md §6.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          // The backend's utilityProcess, and the per-run training worker it starts (worker_threads).
          'backend-process': resolve('electron/main/backend-process.ts'),
          'run-worker': resolve('core/train/worker.ts'),
          // The training worker's bookkeeping threads (core/random/pool).
          'random-pool-worker': resolve('core/random/pool/worker.ts'),
          cli: resolve('core/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload must be ONE CommonJS file: no externals, cjs output (package is "type": "module").
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    build: {
      minify: true,
      // React + MUI + zod make a ~660 kB entry; it loads from disk or localhost, never over a network.
      chunkSizeWarningLimit: 800,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
    plugins: [react()],
  },
});
