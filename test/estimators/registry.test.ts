import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clearDirectionCache,
  generateDirection,
  lookupDirection,
} from '../../core/estimators/direction-cache.ts';
import { materialize, writePerturbed } from '../../core/estimators/expand.ts';
import { createEstimator, ESTIMATORS, listEstimators } from '../../core/estimators/registry.ts';
import type { EstimateTerm } from '../../core/estimators/types.ts';
import { Stream } from '../../core/random/streams.ts';

const root = path.resolve(import.meta.dirname, '../..');
const IDS = ['mezo', 'orthogonal', 'interpolation', 'lozo', 'lozo-m', 'subzero', 'pseuzo', 'mezo-svrg'];

describe('estimator registry', () => {
  it('lists every estimator with paper, help, defaults and a help text per field', () => {
    const rows = listEstimators();
    expect(rows.map((r) => r.id)).toEqual(IDS);
    for (const row of rows) {
      expect(row.paper.length).toBeGreaterThan(20);
      expect(row.help.length).toBeGreaterThan(20);
      expect(row.forward_passes_per_step).toBeGreaterThanOrEqual(2);
      expect(Object.keys(row.defaults).sort()).toEqual(row.fields.map((f) => f.name).sort());
      for (const field of row.fields) {
        expect(field.help, `${row.id}.${field.name}`).not.toBe('');
        expect(field.default).toBe(row.defaults[field.name]);
      }
      // Every preset is a valid configuration of its estimator.
      for (const preset of row.presets) expect(() => createEstimator(row.id, preset.values)).not.toThrow();
    }
  });

  it('builds from defaults and names the bad field, the estimator and the allowed ids in errors', () => {
    for (const definition of ESTIMATORS) expect(createEstimator(definition.id).id).toBe(definition.id);
    expect(() => createEstimator('spsa')).toThrow(
      'unknown estimator "spsa"; expected one of: mezo, orthogonal, interpolation, lozo, lozo-m, subzero, pseuzo, mezo-svrg',
    );
    expect(() => createEstimator('lozo', { rank: 1.5 })).toThrow(/^estimator lozo: invalid settings: rank: /);
    expect(() => createEstimator('orthogonal', { sampling: 'hadamard' })).toThrow(/sampling: Invalid option/);
    expect(() => createEstimator('mezo', { epsilon: 1e-3 })).toThrow(/Unrecognized key: "epsilon"/);
  });

  it('prints the table as JSON from the CLI: estimators as the top-level array, rules with --rules', () => {
    const cli = (args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'bin/zo-studio.js'), 'estimators', ...args],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
    const estimators = cli(['--json']);
    expect(estimators.status).toBe(0);
    const rows = JSON.parse(estimators.stdout) as {
      id: string;
      forward_passes_per_step: number;
      defaults: object;
    }[];
    expect(rows.map((r) => r.id)).toEqual(IDS);
    expect(rows[0]).toMatchObject({
      id: 'mezo',
      forward_passes_per_step: 2,
      defaults: { eps: 1e-3, directions: 1 },
    });
    const rules = JSON.parse(cli(['--rules', '--json']).stdout) as { id: string }[];
    expect(rules.map((r) => r.id)).toContain('zo-adam');
    const bad = cli(['--bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'/);
  });
});

describe('direction cache', () => {
  it('serves bit-identical directions to regeneration, and expansion does not depend on it', () => {
    const address = { seed: 5, stream: Stream.direction, tensor: 2, sample: 0 };
    const term: EstimateTerm[] = [
      { kind: 'gaussian', seed: 5, stream: Stream.direction, sample: 0, coef: 0.5 },
    ];
    clearDirectionCache();
    const regenerated = materialize(term, 2, 10_000);
    const cached = generateDirection(address, 10_000);
    expect(lookupDirection(address, 10_000)).toBe(cached);
    expect(lookupDirection(address, 9_999)).toBeUndefined();
    expect(materialize(term, 2, 10_000)).toEqual(regenerated);
    clearDirectionCache();
    expect(lookupDirection(address, 10_000)).toBeUndefined();
  });

  it('gives bit-identical perturbations through the fused cached sweep, the chunked path, in place', () => {
    const address = { seed: 6, stream: Stream.direction, tensor: 1, sample: 0 };
    const term: EstimateTerm[] = [
      { kind: 'gaussian', seed: 6, stream: Stream.direction, sample: 0, coef: -0.3 },
    ];
    const base = Float32Array.from({ length: 10_001 }, (_, i) => Math.sin(i));
    clearDirectionCache();
    const chunked = new Float32Array(base.length);
    writePerturbed(chunked, base, term, 1, 0.7);
    generateDirection(address, base.length);
    const fused = new Float32Array(base.length);
    writePerturbed(fused, base, term, 1, 0.7);
    expect(fused).toEqual(chunked);
    const inPlace = Float32Array.from(base);
    writePerturbed(inPlace, inPlace, term, 1, 0.7);
    expect(inPlace).toEqual(chunked);
    expect(chunked).not.toEqual(base);
    clearDirectionCache();
  });
});

describe('direction cache bounds', () => {
  it('keeps the directions of the newest 16 seeds and regenerates older ones identically', () => {
    clearDirectionCache();
    const first = Float32Array.from(
      generateDirection({ seed: 0, stream: Stream.direction, tensor: 0, sample: 0 }, 100),
    );
    for (let seed = 1; seed <= 16; seed++)
      generateDirection({ seed, stream: Stream.direction, tensor: 0, sample: 0 }, 100);
    expect(lookupDirection({ seed: 0, stream: Stream.direction, tensor: 0, sample: 0 }, 100)).toBeUndefined();
    expect(lookupDirection({ seed: 1, stream: Stream.direction, tensor: 0, sample: 0 }, 100)).toBeDefined();
    expect(generateDirection({ seed: 0, stream: Stream.direction, tensor: 0, sample: 0 }, 100)).toEqual(
      first,
    );
    clearDirectionCache();
  });
});

describe('estimate expansion', () => {
  it('rejects terms that do not match their tensor, naming the tensor and the shapes', () => {
    const lowRank: EstimateTerm = {
      kind: 'low-rank',
      rows: 3,
      cols: 4,
      rank: 1,
      left: new Float32Array(3),
      right: new Float32Array(4),
    };
    expect(materialize([lowRank], 0, 12)).toHaveLength(12);
    expect(() => materialize([lowRank], 5, 13)).toThrow(
      'tensor 5: low-rank term 3×4 (rank 1, left 3, right 4) does not match its 13 entries',
    );
    expect(() => materialize([{ kind: 'dense', data: new Float32Array(2), coef: 1 }], 1, 3)).toThrow(
      'tensor 1: dense term has 2 entries, the tensor 3',
    );
  });
});
