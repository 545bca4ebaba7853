// Locates the app's own files (package.json, the built renderer) both when run from source
// (core/server/*.ts via tsx) and from the bundle (out/main/cli.js).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function findAppRoot(from: string = import.meta.dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}

export function appVersion(root: string = findAppRoot()): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function rendererDir(root: string = findAppRoot()): string {
  return join(root, 'out', 'renderer');
}
