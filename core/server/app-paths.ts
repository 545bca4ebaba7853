// Locates the app's own files (package.json, the built renderer) both when run from source
// (core/server/*.ts via tsx) and from the bundle (out/main/cli.js).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findAppRoot } from '../app-root.ts';

export function appVersion(root: string = findAppRoot()): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function rendererDir(root: string = findAppRoot()): string {
  return join(root, 'out', 'renderer');
}
