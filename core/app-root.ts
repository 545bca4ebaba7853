// The app's root folder (the one holding package.json and resources/), both when core runs from source
// (core/**/*.ts via tsx) and from the electron-vite bundle (out/main/*.js, inside app.asar when packaged),
// where paths relative to a source file would point nowhere.
import { existsSync } from 'node:fs';
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
