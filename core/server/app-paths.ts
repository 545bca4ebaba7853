// Locates the app's own files (package.json, the built renderer) both when run from source
// (core/server/*.ts via tsx) and from the bundle (out/main/cli.js).
import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { findAppRoot } from '../app-root.ts';

export function appVersion(root: string = findAppRoot()): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function rendererDir(root: string = findAppRoot()): string {
  return join(root, 'out', 'renderer');
}

/**
 * The bundled training worker when this code runs from the electron-vite build (out/main/…), where
 * core/train's source worker entry does not exist; undefined when running from source.
 */
export function bundledRunWorker(from: string = import.meta.dirname): string | undefined {
  if (!from.includes(`${sep}out${sep}main`)) return undefined;
  const worker = join(findAppRoot(from), 'out', 'main', 'run-worker.js');
  return existsSync(worker) ? worker : undefined;
}
