// One-command setup: installs npm dependencies without onnxruntime-node's CUDA download (users opt in to
// CUDA later), then builds the app. Run with `npm run setup`.
import { execSync } from 'node:child_process';

const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
const run = (cmd) => execSync(cmd, { stdio: 'inherit', env });
run('npm ci --no-audit --no-fund');
run('npm run build');
console.log('\nZO Studio is set up. Start it with `npm start` (desktop) or `npx zo-studio serve` (browser).');
