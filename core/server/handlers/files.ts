// The server-side directory browser and path check behind the UI's path pickers (the sandboxed page
// has no file dialog). Read-only: it lists and stats, never opens file contents.
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ApiError } from '../../api/errors.ts';
import type { Handlers } from '../../api/methods.ts';
import type { FileEntry } from '../../api/domains/files.ts';

/** "~/x" → home/x; relative paths resolve against the home folder, not the server's cwd. */
export function resolveUserPath(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(homedir(), path);
}

async function kindOf(path: string): Promise<{ kind: 'dir' | 'file'; sizeBytes: number } | null> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { kind: 'dir', sizeBytes: 0 };
    if (info.isFile()) return { kind: 'file', sizeBytes: info.size };
    return null;
  } catch {
    return null;
  }
}

export function filesHandlers(): Pick<Handlers, 'files.list' | 'files.check'> {
  return {
    'files.list': async ({ path, showHidden }) => {
      const dir = resolveUserPath(path ?? '~');
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new ApiError('not_found', `${dir}: no such folder`);
        if (code === 'ENOTDIR') throw new ApiError('invalid_request', `${dir}: is a file, not a folder`);
        if (code === 'EACCES' || code === 'EPERM')
          throw new ApiError('invalid_request', `${dir}: permission denied`);
        throw error;
      }
      const entries: FileEntry[] = [];
      for (const name of names) {
        if (!showHidden && name.startsWith('.')) continue;
        const full = join(dir, name);
        const info = await kindOf(full);
        if (info) entries.push({ name, path: full, ...info });
      }
      entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
      const parent = dirname(dir);
      return { path: dir, parent: parent === dir ? null : parent, entries };
    },
    'files.check': async ({ path, expect }) => {
      const full = resolveUserPath(path);
      const info = await kindOf(full);
      if (!info)
        return { path: full, exists: false, kind: null, ok: false, message: `${full} does not exist` };
      const ok = expect === 'any' || expect === info.kind;
      const wanted = expect === 'dir' ? 'a folder' : 'a file';
      return {
        path: full,
        exists: true,
        kind: info.kind,
        ok,
        message: ok
          ? `${full} is ${info.kind === 'dir' ? 'a folder' : 'a file'}`
          : `${full} is not ${wanted}`,
      };
    },
  };
}
