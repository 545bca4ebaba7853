// Runs: create, read, list with filters, status changes, delete, tags and notes.
import { randomBytes } from 'node:crypto';
import type { SqlDatabase } from './db.ts';
import { RUN_STATUSES } from './types.ts';
import type { JsonObject, ListRunsQuery, NewRun, NoteRecord, RunRecord, RunStatus } from './types.ts';

interface RunRow {
  id: string;
  name: string;
  status: string;
  created_at: number;
  updated_at: number;
  model_dir: string;
  dataset: string;
  task: string;
  peft: string;
  estimator: string;
  config_json: string;
  parent_run_id: string | null;
  parent_checkpoint_step: number | null;
  error: string | null;
  tags: string | null;
}

/** Sortable, readable ids (`20261126-053812-3fa2`): users type them into `zo-studio runs show`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export function createRun(db: SqlDatabase, run: NewRun, now = Date.now()): RunRecord {
  const status = run.status ?? 'created';
  assertStatus(status);
  const id = run.id ?? newRunId(new Date(now));
  db.prepare(
    `INSERT INTO runs (id, name, status, created_at, updated_at, model_dir, dataset, task, peft, estimator,
       config_json, parent_run_id, parent_checkpoint_step)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    run.name,
    status,
    now,
    now,
    run.modelDir,
    run.dataset,
    run.task,
    run.peft,
    run.estimator,
    JSON.stringify(run.config),
    run.parentRunId ?? null,
    run.parentCheckpointStep ?? null,
  );
  return requireRun(db, id);
}

const SELECT_RUN = `SELECT runs.*, (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM tags WHERE tags.run_id = runs.id ORDER BY tag)) AS tags FROM runs`;

export function getRun(db: SqlDatabase, id: string): RunRecord | undefined {
  const row = db.prepare<[string], RunRow>(`${SELECT_RUN} WHERE runs.id = ?`).get(id);
  return row && toRecord(row);
}

export function requireRun(db: SqlDatabase, id: string): RunRecord {
  const run = getRun(db, id);
  if (!run) throw new Error(`run history: no run with id "${id}" (list them with \`zo-studio runs list\`)`);
  return run;
}

const SORT_COLUMNS = {
  created: 'created_at',
  updated: 'updated_at',
  name: 'name',
  status: 'status',
} as const;

export function listRuns(db: SqlDatabase, query: ListRunsQuery = {}): RunRecord[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status !== undefined) {
    const statuses = Array.isArray(query.status) ? query.status : [query.status];
    statuses.forEach(assertStatus);
    where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
    params.push(...statuses);
  }
  if (query.tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM tags WHERE tags.run_id = runs.id AND tags.tag = ?)');
    params.push(query.tag);
  }
  if (query.search) {
    where.push(`(name LIKE ? ESCAPE '\\' OR model_dir LIKE ? ESCAPE '\\' OR dataset LIKE ? ESCAPE '\\')`);
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(pattern, pattern, pattern);
  }
  if (query.estimator !== undefined) {
    where.push('estimator = ?');
    params.push(query.estimator);
  }
  if (query.peft !== undefined) {
    where.push('peft = ?');
    params.push(query.peft);
  }
  const column = SORT_COLUMNS[query.sort ?? 'created'];
  const order = query.order === 'asc' ? 'ASC' : 'DESC';
  // id breaks ties so the order is stable when runs are created in the same millisecond.
  let sql = `${SELECT_RUN} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${column} ${order}, id ${order}`;
  if (query.limit !== undefined) {
    sql += ' LIMIT ? OFFSET ?';
    params.push(query.limit, query.offset ?? 0);
  }
  return db
    .prepare<unknown[], RunRow>(sql)
    .all(...params)
    .map(toRecord);
}

/** Sets a run's status; `error` is recorded for failed runs and cleared otherwise. */
export function updateStatus(
  db: SqlDatabase,
  id: string,
  status: RunStatus,
  error?: string,
  now = Date.now(),
): void {
  assertStatus(status);
  const result = db
    .prepare('UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE id = ?')
    .run(status, error ?? null, now, id);
  if (result.changes === 0) requireRun(db, id);
}

/** Deletes a run and (by cascade) its metrics, evals, checkpoint and artifact rows, tags and notes. */
export function deleteRun(db: SqlDatabase, id: string): void {
  const result = db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  if (result.changes === 0) requireRun(db, id);
}

export function addTag(db: SqlDatabase, runId: string, tag: string): void {
  requireRun(db, runId);
  db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)').run(runId, tag);
}

export function removeTag(db: SqlDatabase, runId: string, tag: string): void {
  db.prepare('DELETE FROM tags WHERE run_id = ? AND tag = ?').run(runId, tag);
}

export function addNote(db: SqlDatabase, runId: string, body: string, now = Date.now()): NoteRecord {
  requireRun(db, runId);
  const result = db
    .prepare('INSERT INTO notes (run_id, body, created_at) VALUES (?, ?, ?)')
    .run(runId, body, now);
  return { id: Number(result.lastInsertRowid), runId, body, createdAt: now };
}

export function listNotes(db: SqlDatabase, runId: string): NoteRecord[] {
  return db
    .prepare<[string], { id: number; run_id: string; body: string; created_at: number }>(
      'SELECT * FROM notes WHERE run_id = ? ORDER BY created_at, id',
    )
    .all(runId)
    .map((row) => ({ id: row.id, runId: row.run_id, body: row.body, createdAt: row.created_at }));
}

function assertStatus(status: string): asserts status is RunStatus {
  if (!(RUN_STATUSES as readonly string[]).includes(status)) {
    throw new Error(`run history: status "${status}" is not one of: ${RUN_STATUSES.join(', ')}`);
  }
}

function toRecord(row: RunRow): RunRecord {
  assertStatus(row.status);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    modelDir: row.model_dir,
    dataset: row.dataset,
    task: row.task,
    peft: row.peft,
    estimator: row.estimator,
    config: JSON.parse(row.config_json) as JsonObject,
    parentRunId: row.parent_run_id,
    parentCheckpointStep: row.parent_checkpoint_step,
    error: row.error,
    tags: row.tags ? row.tags.split('\x1f') : [],
  };
}
