// Opens the run-history database. The only module that imports better-sqlite3.
// On open it: creates the folder (clear error when it cannot be written), recognizes a corrupt file
// (not SQLite, or failing PRAGMA quick_check) and moves it aside — never deletes or overwrites it —
// refuses a database written by a newer ZO Studio (after saving a copy), then switches to WAL,
// enables foreign keys and a busy timeout (so two processes can write at once), and migrates.
import Database from 'better-sqlite3';
import {
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  renameSync,
  statSync,
  accessSync,
  constants,
} from 'node:fs';
import { dirname } from 'node:path';
import { migrate, SCHEMA_VERSION } from './migrations.ts';

export type SqlDatabase = Database.Database;

export type StoreErrorCode = 'not-writable' | 'newer-schema' | 'disk-full';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface OpenOptions {
  /** How long a writer waits for another process's write lock before failing (ms). */
  busyTimeoutMs?: number;
  /** Migrate only up to this version (tests build older schemas with it). */
  schemaVersion?: number;
}

export interface OpenedDatabase {
  db: SqlDatabase;
  path: string;
  /** Things the user should be told, e.g. that a corrupt database was moved aside. */
  notices: string[];
}

const SQLITE_MAGIC = 'SQLite format 3\0';

export function openDatabase(path: string, options: OpenOptions = {}): OpenedDatabase {
  const notices: string[] = [];
  ensureWritableFolder(path);

  const problem = existsSync(path) ? corruptionOf(path, options) : undefined;
  if (problem) {
    const aside = moveAside(path);
    notices.push(
      `The run history ${path} was unreadable (${problem}). It was moved to ${aside} (nothing was deleted) and a ` +
        `new, empty history was started. The old file may be recoverable with the sqlite3 shell's ".recover" command.`,
    );
  }

  const db = openConnection(path, options);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) refuseNewerSchema(db, path, version);
    // WAL lets readers (the UI) run while the trainer writes. NORMAL sync in WAL mode never corrupts the
    // file; a power cut can lose only the last commits (steps the trainer replays after a resume).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.schemaVersion ?? SCHEMA_VERSION);
    return { db, path, notices };
  } catch (error) {
    db.close();
    throw error;
  }
}

function openConnection(path: string, options: OpenOptions): SqlDatabase {
  try {
    return new Database(path, { timeout: options.busyTimeoutMs ?? 10_000 });
  } catch (error) {
    throw notWritable(path, error);
  }
}

function ensureWritableFolder(path: string): void {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch (error) {
    throw notWritable(path, error);
  }
}

function notWritable(path: string, error: unknown): StoreError {
  return new StoreError(
    'not-writable',
    `Cannot open the run history at ${path}: ${describeFsError(dirname(path), error)}. Its folder must exist (or be ` +
      `creatable) and be writable; choose another location with --db PATH or the ZO_STUDIO_DB environment variable.`,
  );
}

/** Node's fs messages name the syscall, not the problem; say what is wrong with the folder. */
function describeFsError(folder: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return `${folder} (or a folder above it) is a file, not a folder (${code})`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write in ${folder} (${code})`;
    case 'EROFS':
      return `${folder} is on a read-only filesystem (EROFS)`;
    default:
      return message;
  }
}

/**
 * A failed write as the user should read it: a full disk or a database that became read-only gets a
 * StoreError saying so (the failed transaction was rolled back; earlier history is intact).
 */
export function writeError(path: string, error: unknown): unknown {
  const code = String((error as { code?: unknown }).code ?? '');
  if (code === 'SQLITE_FULL') {
    return new StoreError(
      'disk-full',
      `Could not write to the run history at ${path}: the disk is full. The last change was rolled back and ` +
        `the earlier history is intact; free some space and continue.`,
    );
  }
  if (code.startsWith('SQLITE_READONLY')) return notWritable(path, error);
  return error;
}

/** Why the file at `path` is not a usable SQLite database, or undefined when it is. */
function corruptionOf(path: string, options: OpenOptions): string | undefined {
  if (statSync(path).size === 0) return undefined; // an empty file is a valid, empty database
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) return 'not an SQLite database: wrong file header';

  let db: SqlDatabase | undefined;
  try {
    db = openConnection(path, options);
    const result = db.pragma('quick_check', { simple: true });
    return result === 'ok' ? undefined : `integrity check failed: ${String(result)}`;
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
      return `SQLite reports ${code}: ${(error as Error).message}`;
    throw error;
  } finally {
    db?.close();
  }
}

/** Renames the database and its WAL/SHM companions to `<path>.corrupt-<timestamp>`; returns the new path. */
function moveAside(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let aside = `${path}.corrupt-${stamp}`;
  for (let n = 2; existsSync(aside); n++) aside = `${path}.corrupt-${stamp}-${n}`;
  renameSync(path, aside);
  // A leftover -wal beside a fresh database would be replayed into it, so the companions move too.
  for (const suffix of ['-wal', '-shm', '-journal']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  }
  return aside;
}

function refuseNewerSchema(db: SqlDatabase, path: string, version: number): never {
  const backup = `${path}.schema-v${version}-backup`;
  // VACUUM INTO writes a consistent copy (WAL content included) without modifying the source.
  if (!existsSync(backup)) db.prepare('VACUUM INTO ?').run(backup);
  throw new StoreError(
    'newer-schema',
    `The run history ${path} has schema version ${version}, but this ZO Studio understands versions up to ` +
      `${SCHEMA_VERSION}: it was written by a newer release. It was left untouched (a copy is at ${backup}). ` +
      `Update ZO Studio, or use another history with --db PATH or ZO_STUDIO_DB.`,
  );
}
