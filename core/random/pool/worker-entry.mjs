// Pool worker entry in a source checkout: registers tsx (so it also runs on a Node without type
// stripping, like core/train/worker-entry.mjs), then runs worker.ts. A bundled build (Electron) starts
// out/main/random-pool-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
