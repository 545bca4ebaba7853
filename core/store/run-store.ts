// The typed API of the run history: one object per open database. Callers (trainer, CLI, studio service)
// use only this; the SQL lives in runs.ts, metrics.ts, files.ts and compare.ts.
import { rmSync } from 'node:fs';
import { openDatabase, writeError } from './db.ts';
import type { OpenOptions, SqlDatabase } from './db.ts';
import { configDiff, seriesAligned } from './compare.ts';
import {
  addArtifact,
  addCheckpoint,
  latestCheckpoint,
  listArtifacts,
  listCheckpoints,
  removeCheckpoint,
} from './files.ts';
import { addEval, appendMetrics, finalMetrics, listEvals, metricNames, metricSeries } from './metrics.ts';
import { resolveDbPath, runDir } from './paths.ts';
import {
  addNote,
  addTag,
  createRun,
  deleteRun,
  getRun,
  listNotes,
  listRuns,
  removeTag,
  requireRun,
  updateStatus,
} from './runs.ts';
import type { ListRunsQuery, MetricPoint, NewRun, RunStatus, SeriesAxis } from './types.ts';

export class RunStore {
  private constructor(
    private readonly db: SqlDatabase,
    /** Absolute path of the database file. */
    readonly path: string,
    /** Messages for the user from opening (e.g. a corrupt database was moved aside). */
    readonly notices: readonly string[],
  ) {}

  /** Opens (creating or migrating) the database at `path`. Throws StoreError when it cannot be used. */
  static open(path: string, options: OpenOptions = {}): RunStore {
    const { db, notices } = openDatabase(path, options);
    return new RunStore(db, path, notices);
  }

  /**
   * Opens the user's run history: `dbFlag` (--db), else ZO_STUDIO_DB, else the per-user data folder.
   * Notices from opening (a corrupt file moved aside) go to `onNotice` so the user sees them.
   */
  static openForUser(dbFlag: string | undefined, onNotice: (message: string) => void): RunStore {
    const store = RunStore.open(resolveDbPath(dbFlag));
    for (const notice of store.notices) onNotice(notice);
    return store;
  }

  /** Runs a write, turning a full disk or a read-only file into a StoreError the user can act on. */
  private write<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw writeError(this.path, error);
    }
  }

  close(): void {
    this.db.close();
  }

  /** Folder for this run's checkpoints and other files, beside the database. */
  runDir(runId: string): string {
    return runDir(this.path, runId);
  }

  createRun = (run: NewRun) => this.write(() => createRun(this.db, run));
  getRun = (id: string) => getRun(this.db, id);
  requireRun = (id: string) => requireRun(this.db, id);
  listRuns = (query?: ListRunsQuery) => listRuns(this.db, query);
  updateStatus = (id: string, status: RunStatus, error?: string) =>
    this.write(() => updateStatus(this.db, id, status, error));

  /** Deletes the run's rows and its folder beside the database (exports written elsewhere are kept). */
  deleteRun(id: string): void {
    this.write(() => deleteRun(this.db, id));
    rmSync(this.runDir(id), { recursive: true, force: true });
  }

  addTag = (runId: string, tag: string) => this.write(() => addTag(this.db, runId, tag));
  removeTag = (runId: string, tag: string) => this.write(() => removeTag(this.db, runId, tag));
  addNote = (runId: string, body: string) => this.write(() => addNote(this.db, runId, body));
  listNotes = (runId: string) => listNotes(this.db, runId);

  appendMetrics = (runId: string, points: readonly MetricPoint[]) =>
    this.write(() => appendMetrics(this.db, runId, points));
  metricSeries = (runId: string, name: string) => metricSeries(this.db, runId, name);
  metricNames = (runId: string) => metricNames(this.db, runId);
  finalMetrics = (runIds: readonly string[]) => finalMetrics(this.db, runIds);
  addEval = (runId: string, evaluation: Parameters<typeof addEval>[2]) =>
    this.write(() => addEval(this.db, runId, evaluation));
  listEvals = (runId: string, split?: string) => listEvals(this.db, runId, split);

  seriesAligned = (runIds: readonly string[], metric: string, axis: SeriesAxis) =>
    seriesAligned(this.db, runIds, metric, axis);
  configDiff = (runIds: readonly string[], onlyDifferences = true) =>
    configDiff(this.db, runIds, onlyDifferences);

  addCheckpoint = (runId: string, checkpoint: Parameters<typeof addCheckpoint>[2]) =>
    this.write(() => addCheckpoint(this.db, runId, checkpoint));
  listCheckpoints = (runId: string) => listCheckpoints(this.db, runId);
  latestCheckpoint = (runId: string) => latestCheckpoint(this.db, runId);
  removeCheckpoint = (runId: string, step: number) =>
    this.write(() => removeCheckpoint(this.db, runId, step));
  addArtifact = (runId: string, artifact: Parameters<typeof addArtifact>[2]) =>
    this.write(() => addArtifact(this.db, runId, artifact));
  listArtifacts = (runId: string) => listArtifacts(this.db, runId);
}
