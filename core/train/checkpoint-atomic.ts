// Atomic file replacement: write a temp file in the same folder, fsync it, rename it over the target,
// fsync the folder. A crash (or kill -9, or a full disk) at any point leaves either the old file or the
// complete new one under the final name — never a torn file. The temp file must be in the same folder:
// rename is only atomic within one filesystem.
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** `write(tempPath)` must create and fully write (and fsync) the temp file; it is then moved to `path`. */
export function replaceFileAtomically(path: string, write: (tempPath: string) => void): void {
  const folder = dirname(path);
  const tempPath = join(folder, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    write(tempPath);
    renameSync(tempPath, path);
  } catch (error) {
    rmSync(tempPath, { force: true }); // never leave a partial temp file eating the space that ran out
    throw error;
  }
  syncFolder(folder);
}

/** Makes a rename durable: the new directory entry is on disk once the folder itself is synced. */
export function syncFolder(folder: string): void {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
