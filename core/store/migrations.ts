// Schema migrations, append-only: migration N takes the schema from version N-1 to N and is never edited
// once released (a user's database may be at any earlier version). The version is SQLite's user_version.
// Each migration runs inside the transaction that also bumps user_version, so a crash leaves either the
// old or the new schema, never half of one.
import type { SqlDatabase } from './db.ts';

export type Migration = (db: SqlDatabase) => void;

/** v1: runs, their per-step metrics and their checkpoints: what training needs to record and resume. */
function createRunsMetricsCheckpoints(db: SqlDatabase): void {
  db.exec(`
    CREATE TABLE runs (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('created', 'running', 'paused', 'completed', 'failed', 'cancelled')),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      model_dir TEXT NOT NULL,
      dataset TEXT NOT NULL,
      task TEXT NOT NULL,
      peft TEXT NOT NULL,
      estimator TEXT NOT NULL,
      config_json TEXT NOT NULL,
      parent_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
      parent_checkpoint_step INTEGER,
      error TEXT
    );
    CREATE INDEX runs_created ON runs(created_at);
    CREATE INDEX runs_status ON runs(status);

    -- One row per (run, metric, step): a resumed run that replays steps after its last checkpoint
    -- overwrites them instead of duplicating them.
    CREATE TABLE metrics (
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      step INTEGER NOT NULL,
      forward_passes INTEGER NOT NULL,
      wall_ms REAL NOT NULL,
      value REAL,
      PRIMARY KEY (run_id, name, step)
    ) WITHOUT ROWID;

    CREATE TABLE checkpoints (
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      path TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (run_id, step)
    );
  `);
}

/** v2: evaluations (several metrics at one point) and exported artifacts. */
function createEvalsArtifacts(db: SqlDatabase): void {
  db.exec(`
    CREATE TABLE evals (
      id INTEGER PRIMARY KEY,
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      forward_passes INTEGER NOT NULL,
      split TEXT NOT NULL,
      metrics_json TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX evals_run ON evals(run_id, split, step);

    CREATE TABLE artifacts (
      id INTEGER PRIMARY KEY,
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      format TEXT NOT NULL,
      path TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX artifacts_run ON artifacts(run_id);
  `);
}

/** v3: user annotations. */
function createTagsNotes(db: SqlDatabase): void {
  db.exec(`
    CREATE TABLE tags (
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      tag TEXT NOT NULL,
      PRIMARY KEY (run_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_tag ON tags(tag);

    CREATE TABLE notes (
      id INTEGER PRIMARY KEY,
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX notes_run ON notes(run_id);
  `);
}

/** MIGRATIONS[i] produces schema version i + 1. */
export const MIGRATIONS: readonly Migration[] = [
  createRunsMetricsCheckpoints,
  createEvalsArtifacts,
  createTagsNotes,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` to `toVersion` (default: the latest), one migration per transaction. The version is read
 * inside each IMMEDIATE transaction, i.e. under the write lock, so two processes opening a new
 * database at once never both apply the same migration.
 */
export function migrate(db: SqlDatabase, toVersion: number = SCHEMA_VERSION): void {
  const step = db.transaction((): boolean => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version >= toVersion) return false;
    const migration = MIGRATIONS[version];
    if (!migration) throw new Error(`run history: no migration to schema version ${version + 1}`);
    migration(db);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate()) {
    // one migration applied; look again
  }
}
