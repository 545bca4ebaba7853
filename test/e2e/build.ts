// `npm run build` output for tests that need it (the served renderer, the bundled workers, packaging):
// rebuilt when any source under renderer/, core/ or electron/ is newer than the build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../server/serve-process.ts';

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const full = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    }),
  );
}

export function ensureBuilt(): void {
  const outputs = [
    'out/renderer/index.html',
    'out/main/index.js',
    'out/main/run-worker.js',
    'out/preload/index.cjs',
  ].map((file) => join(projectRoot, file));
  const sources = Math.max(
    ...['renderer', 'core', 'electron'].map((dir) => newestMtime(join(projectRoot, dir))),
  );
  if (outputs.every((file) => existsSync(file) && statSync(file).mtimeMs >= sources)) return;
  execFileSync(
    process.execPath,
    [join(projectRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: projectRoot,
      stdio: 'pipe',
    },
  );
}
