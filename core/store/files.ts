// Rows for the files a run leaves on disk: checkpoints (for resume and fork) and exported artifacts.
import type { SqlDatabase } from './db.ts';
import type { ArtifactRecord, CheckpointRecord } from './types.ts';

interface CheckpointRow {
  run_id: string;
  step: number;
  path: string;
  bytes: number;
  created_at: number;
}

export function addCheckpoint(
  db: SqlDatabase,
  runId: string,
  checkpoint: { step: number; path: string; bytes: number },
  now = Date.now(),
): CheckpointRecord {
  db.prepare(
    'INSERT OR REPLACE INTO checkpoints (run_id, step, path, bytes, created_at) VALUES (?, ?, ?, ?, ?)',
  ).run(runId, checkpoint.step, checkpoint.path, checkpoint.bytes, now);
  return { runId, ...checkpoint, createdAt: now };
}

export function listCheckpoints(db: SqlDatabase, runId: string): CheckpointRecord[] {
  return db
    .prepare<[string], CheckpointRow>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step')
    .all(runId)
    .map(toCheckpoint);
}

export function latestCheckpoint(db: SqlDatabase, runId: string): CheckpointRecord | undefined {
  const row = db
    .prepare<[string], CheckpointRow>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1')
    .get(runId);
  return row && toCheckpoint(row);
}

export function removeCheckpoint(db: SqlDatabase, runId: string, step: number): void {
  db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND step = ?').run(runId, step);
}

export function addArtifact(
  db: SqlDatabase,
  runId: string,
  artifact: { format: string; path: string; bytes: number },
  now = Date.now(),
): ArtifactRecord {
  const result = db
    .prepare('INSERT INTO artifacts (run_id, format, path, bytes, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(runId, artifact.format, artifact.path, artifact.bytes, now);
  return { id: Number(result.lastInsertRowid), runId, ...artifact, createdAt: now };
}

export function listArtifacts(db: SqlDatabase, runId: string): ArtifactRecord[] {
  return db
    .prepare<
      [string],
      { id: number; run_id: string; format: string; path: string; bytes: number; created_at: number }
    >('SELECT * FROM artifacts WHERE run_id = ? ORDER BY created_at, id')
    .all(runId)
    .map((row) => ({
      id: row.id,
      runId: row.run_id,
      format: row.format,
      path: row.path,
      bytes: row.bytes,
      createdAt: row.created_at,
    }));
}

function toCheckpoint(row: CheckpointRow): CheckpointRecord {
  return { runId: row.run_id, step: row.step, path: row.path, bytes: row.bytes, createdAt: row.created_at };
}
