// The app's root folder (the one holding package.json and resources/), both when core runs from source
// (core/**/*.ts via tsx) and from the electron-vite bundle (out/main/*.js, inside app.asar when packaged),
// where paths relative to a source file would point nowhere.
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

export function findAppRoot(from: string = import.meta.dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}

/**
 * `file` in out/main when the calling code (`from`, its own directory) runs from the electron-vite build,
 * where worker entries are bundled files beside it; undefined when running from source.
 */
export function bundledMainEntry(file: string, from: string): string | undefined {
  if (!from.includes(`${sep}out${sep}main`)) return undefined;
  const entry = join(findAppRoot(from), 'out', 'main', file);
  return existsSync(entry) ? entry : undefined;
}
