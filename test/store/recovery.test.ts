// Opening the run history under bad conditions: corrupt files, newer schemas, unwritable folders, and
// databases left at an older schema version by an earlier release.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, StoreError } from '../../core/store/db.ts';
import { SCHEMA_VERSION } from '../../core/store/migrations.ts';
import { RunStore } from '../../core/store/run-store.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zo-store-recovery-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const newRun = {
  name: 'r',
  modelDir: '/m',
  dataset: 'd',
  task: 't',
  peft: 'lora',
  estimator: 'spsa',
  config: {},
};

describe('corrupt database', () => {
  it('moves a file of garbage aside, keeps it byte for byte, and starts a fresh history', () => {
    const path = join(dir, 'runs.sqlite');
    const garbage = Buffer.from('this is not a database, just some bytes '.repeat(200));
    writeFileSync(path, garbage);
    const store = RunStore.open(path);
    try {
      expect(store.notices).toHaveLength(1);
      expect(store.notices[0]).toMatch(
        /runs\.sqlite was unreadable \(not an SQLite database: wrong file header\)/,
      );
      expect(store.notices[0]).toMatch(/nothing was deleted/);
      const aside = readdirSync(dir).filter((name) => name.startsWith('runs.sqlite.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dir, aside[0]!)).equals(garbage)).toBe(true);
      expect(store.listRuns()).toEqual([]);
      store.createRun(newRun);
    } finally {
      store.close();
    }
  });

  it('moves aside a real SQLite file whose pages are damaged (integrity check fails)', () => {
    const path = join(dir, 'runs.sqlite');
    const store = RunStore.open(path);
    const run = store.createRun(newRun);
    store.appendMetrics(
      run.id,
      Array.from({ length: 3000 }, (_, step) => ({
        name: 'loss',
        step,
        forwardPasses: 2 * step,
        wallMs: step,
        value: Math.sin(step),
      })),
    );
    store.close(); // a clean close checkpoints the WAL into the main file
    const bytes = readFileSync(path);
    // Keep the valid header page, overwrite a run of later pages (the metrics b-tree) with noise.
    for (let i = 4096 * 2; i < Math.min(bytes.length, 4096 * 12); i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(path, bytes);

    const reopened = RunStore.open(path);
    try {
      expect(reopened.notices[0]).toMatch(
        /was unreadable \((integrity check failed|SQLite reports SQLITE_(CORRUPT|NOTADB))/,
      );
      expect(reopened.listRuns()).toEqual([]);
      const aside = readdirSync(dir).filter(
        (name) => /^runs\.sqlite\.corrupt-[^-]/.test(name) && !/-(wal|shm)$/.test(name),
      );
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dir, aside[0]!)).equals(bytes)).toBe(true);
    } finally {
      reopened.close();
    }
  });

  it('opens a healthy database without notices and keeps its data', () => {
    const path = join(dir, 'runs.sqlite');
    const first = RunStore.open(path);
    first.createRun({ ...newRun, id: 'kept' });
    first.close();
    const second = RunStore.open(path);
    expect(second.notices).toEqual([]);
    expect(second.getRun('kept')?.name).toBe('r');
    second.close();
  });
});

describe('newer schema', () => {
  it('refuses a database from a newer release, leaves it untouched and saves a copy', () => {
    const path = join(dir, 'runs.sqlite');
    const future = new Database(path);
    future.exec('CREATE TABLE future_things (x INTEGER); INSERT INTO future_things VALUES (42);');
    future.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    future.close();
    const before = readFileSync(path);

    let caught: unknown;
    try {
      RunStore.open(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('newer-schema');
    expect((caught as Error).message).toMatch(
      new RegExp(
        `schema version ${SCHEMA_VERSION + 5}, but this ZO Studio understands versions up to ${SCHEMA_VERSION}`,
      ),
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    const backup = new Database(`${path}.schema-v${SCHEMA_VERSION + 5}-backup`, { readonly: true });
    expect(backup.prepare('SELECT x FROM future_things').pluck().get()).toBe(42);
    backup.close();
  });
});

describe('unwritable location', () => {
  it('gives a clear error when the folder cannot be created (a path below a regular file)', () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    expect(() => RunStore.open(join(file, 'runs.sqlite'))).toThrow(
      /Cannot open the run history at .*not-a-folder\/runs\.sqlite: .*not-a-folder \(or a folder above it\) is a file, not a folder.*--db PATH or the ZO_STUDIO_DB/,
    );
  });

  it('gives a clear error for a read-only folder (chmod 555, as a normal user)', (context) => {
    if (process.getuid?.() === 0) context.skip(); // root ignores permission bits; the read-only mount test covers root
    const folder = join(dir, 'locked');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    try {
      expect(() => RunStore.open(join(folder, 'runs.sqlite'))).toThrow(
        /Cannot open the run history at .*EACCES/,
      );
    } finally {
      chmodSync(folder, 0o755);
    }
  });

  it('gives a clear error for a folder on a read-only filesystem (root only: needs mount)', (context) => {
    const mountPoint = join(dir, 'ro');
    mkdirSync(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      context.skip(); // not root or no mount permission in this sandbox
    }
    try {
      expect(() => RunStore.open(join(mountPoint, 'runs.sqlite'))).toThrow(
        /Cannot open the run history at .*EROFS/,
      );
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});

describe('full disk', () => {
  it('reports a full disk clearly, rolls back the failed batch and keeps the history (tmpfs, root only)', (context) => {
    const small = join(dir, 'small-disk');
    mkdirSync(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small], { stdio: 'ignore' });
    } catch {
      context.skip(); // needs root (mount)
    }
    try {
      const path = join(small, 'runs.sqlite');
      const store = RunStore.open(path);
      const run = store.createRun(newRun);
      let written = 0;
      let caught: unknown;
      for (let batch = 0; batch < 1000 && !caught; batch++) {
        const points = Array.from({ length: 200 }, (_, i) => {
          const step = batch * 200 + i;
          return { name: 'loss', step, forwardPasses: 2 * step, wallMs: step, value: step };
        });
        try {
          store.appendMetrics(run.id, points);
          written += points.length;
        } catch (error) {
          caught = error;
        }
      }
      expect(caught).toBeInstanceOf(StoreError);
      expect((caught as StoreError).code).toBe('disk-full');
      expect((caught as Error).message).toMatch(
        /Could not write to the run history at .*runs\.sqlite: the disk is full\. The last change was rolled back/,
      );
      expect(written).toBeGreaterThan(0);
      expect(store.metricSeries(run.id, 'loss')).toHaveLength(written);
      store.close();
      const reopened = RunStore.open(path);
      expect(reopened.notices).toEqual([]);
      expect(reopened.metricSeries(run.id, 'loss')).toHaveLength(written);
      reopened.close();
    } finally {
      execFileSync('umount', [small]);
    }
  });
});

describe('migrations', () => {
  it('upgrades a version-1 database in place, keeping its runs and metrics', () => {
    const path = join(dir, 'runs.sqlite');
    const old = openDatabase(path, { schemaVersion: 1 });
    expect(old.db.pragma('user_version', { simple: true })).toBe(1);
    old.db
      .prepare(
        `INSERT INTO runs (id, name, status, created_at, updated_at, model_dir, dataset, task, peft, estimator, config_json)
         VALUES ('old', 'from v1', 'completed', 1, 2, '/m', 'sst2', 'classification', 'lora', 'spsa', '{"lr":0.001}')`,
      )
      .run();
    old.db.prepare(`INSERT INTO metrics VALUES ('old', 'loss', 1, 2, 3.5, 0.75)`).run();
    expect(() => old.db.prepare('SELECT * FROM tags').all()).toThrow(/no such table: tags/);
    old.db.close();

    const store = RunStore.open(path);
    try {
      expect(store.getRun('old')).toMatchObject({
        name: 'from v1',
        status: 'completed',
        config: { lr: 0.001 },
        tags: [],
      });
      expect(store.metricSeries('old', 'loss')).toEqual([
        { name: 'loss', step: 1, forwardPasses: 2, wallMs: 3.5, value: 0.75 },
      ]);
      store.addTag('old', 'migrated');
      store.addArtifact('old', { format: 'peft', path: '/a', bytes: 1 });
      expect(store.getRun('old')?.tags).toEqual(['migrated']);
    } finally {
      store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(check.pragma('foreign_key_check')).toEqual([]);
    check.close();
  });

  it('uses WAL and enforces foreign keys', () => {
    const path = join(dir, 'runs.sqlite');
    const { db } = openDatabase(path);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect(() => db.prepare(`INSERT INTO metrics VALUES ('ghost', 'loss', 1, 2, 3, 4)`).run()).toThrow(
        /FOREIGN KEY/,
      );
    } finally {
      db.close();
    }
  });
});
