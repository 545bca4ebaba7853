// orthonormalize: Cholesky–QR (one round for nearly orthogonal inputs, two otherwise) must give the same
// Q as Gram–Schmidt — the QR factor with a positive diagonal — whatever the conditioning, and refuse
// dependent inputs.
import { describe, expect, it } from 'vitest';
import { orthonormalize } from '../../core/estimators/linalg.ts';
import { fillGaussian } from '../../core/random/gaussian.ts';

function gaussianRows(count: number, length: number, seed: number): Float64Array[] {
  return Array.from({ length: count }, (_, sample) => {
    const row = new Float32Array(length);
    fillGaussian(row, { seed, stream: 0, tensor: 0, sample });
    return Float64Array.from(row);
  });
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, v, i) => sum + v * (b[i] as number), 0);

/** Reference: classical Gram–Schmidt with full re-orthogonalization, written independently. */
function referenceQ(rows: readonly Float64Array[]): Float64Array[] {
  const q: Float64Array[] = [];
  for (const row of rows) {
    const v = row.slice();
    for (let pass = 0; pass < 3; pass++) {
      for (const u of q) {
        const p = dot(v, u);
        for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) - p * (u[i] as number);
      }
    }
    const n = Math.sqrt(dot(v, v));
    q.push(v.map((x) => x / n));
  }
  return q;
}

function expectSameQ(rows: Float64Array[], tolerance: number) {
  const inputs = rows.map((r) => r.slice());
  const expected = referenceQ(rows);
  const norms = orthonormalize(rows);
  norms.forEach((norm, i) => expect(norm).toBeCloseTo(Math.sqrt(dot(inputs[i]!, inputs[i]!)), 8));
  rows.forEach((q, i) => {
    for (let j = 0; j < rows.length; j++)
      expect(Math.abs(dot(q, rows[j]!) - (i === j ? 1 : 0))).toBeLessThan(tolerance);
    // Same vector, same sign: R's diagonal positive (q_i · v_i > 0) like the reference.
    expect(Math.max(...q.map((x, k) => Math.abs(x - expected[i]![k]!)))).toBeLessThan(tolerance);
    expect(dot(q, inputs[i]!)).toBeGreaterThan(0);
  });
}

describe('orthonormalize', () => {
  it('matches Gram–Schmidt on few long Gaussian rows (one Cholesky–QR round)', () => {
    expectSameQ(gaussianRows(6, 50_000, 3), 1e-12);
  });

  it('matches Gram–Schmidt on square, badly conditioned blocks (second round)', () => {
    // Rows sharing a large common component: κ in the thousands, far from orthogonal.
    const rows = gaussianRows(8, 8, 5);
    rows.forEach((row) => row.forEach((_, i) => (row[i] = (row[i] as number) * 1e-3 + 1)));
    expectSameQ(rows, 1e-8);
  });

  it('refuses a dependent row, naming it', () => {
    const rows = gaussianRows(3, 16, 7);
    rows[2] = rows[0]!.map((x, i) => 2 * x - (rows[1]![i] as number));
    expect(() => orthonormalize(rows)).toThrow(/vector 2 is linearly dependent/);
  });
});
