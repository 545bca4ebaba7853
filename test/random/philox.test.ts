import { describe, expect, it } from 'vitest';
import {
  fillGaussian,
  fillRademacher,
  fillUniform,
  GAUSS_RUN,
  gaussianArray,
} from '../../core/random/gaussian.ts';
import { philox4x32, seedKey } from '../../core/random/philox.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';

const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, '0'));

describe('philox4x32-10', () => {
  // Random123 kat_vectors, "philox4x32 10" lines: guards the round function and the mulhi trick.
  it('matches the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(hex(out)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    philox4x32(-1, -1, -1, -1, -1, -1, out);
    expect(hex(out)).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(hex(out)).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });

  it('splits 53-bit seeds into two key words and rejects unsafe ones', () => {
    expect(seedKey(2 ** 32 + 5)).toEqual([5, 1]);
    expect(() => seedKey(-1)).toThrow(/non-negative safe integer/);
    expect(() => seedKey(2 ** 60)).toThrow(/safe integer/);
  });
});

describe('counter-based entries', () => {
  const address = { seed: 1234567890123, stream: 1, tensor: 3, sample: 2 };

  it('gives element i the same value whatever the offset and chunking', () => {
    const whole = gaussianArray(1001, address);
    for (const [offset, length] of [
      [0, 1],
      [1, 6],
      [3, 9],
      [7, 994],
      [500, 4],
      [255, 2],
      [250, 600],
    ] as const) {
      const part = new Float32Array(length);
      fillGaussian(part, address, offset);
      expect(part).toEqual(whole.subarray(offset, offset + length));
    }
  });

  it('is a pure function of (seed, stream, tensor, sample)', () => {
    const a = gaussianArray(64, address);
    expect(gaussianArray(64, address)).toEqual(a);
    for (const change of [{ seed: 1 }, { stream: 2 }, { tensor: 4 }, { sample: 0 }]) {
      const other = gaussianArray(64, { ...address, ...change });
      expect(other).not.toEqual(a);
    }
  });

  it('has standard-normal moments and tails', () => {
    const n = 1 << 20;
    const z = gaussianArray(n, address);
    let mean = 0;
    let second = 0;
    let fourth = 0;
    let beyond3 = 0;
    for (const x of z) {
      mean += x;
      second += x * x;
      fourth += x ** 4;
      if (Math.abs(x) > 3) beyond3++;
    }
    mean /= n;
    second /= n;
    fourth /= n;
    // Standard errors: mean 1e-3, variance 1.4e-3, kurtosis ~5e-3, tail count ~ √2830 = 53.
    expect(Math.abs(mean)).toBeLessThan(5e-3);
    expect(Math.abs(second - 1)).toBeLessThan(7e-3);
    expect(Math.abs(fourth - 3)).toBeLessThan(0.04);
    expect(Math.abs(beyond3 / n - 0.0026998)).toBeLessThan(3e-4);
  });

  it('matches the normal CDF across the body, the wedges and the tails', () => {
    const n = 1 << 20;
    const z = gaussianArray(n, { ...address, sample: 7 });
    // Φ(x) at points in the ziggurat's rectangles, its wedges and past its base layer (R ≈ 3.44).
    const cdf: [number, number][] = [
      [-3.8, 7.2348e-5],
      [-2.5, 0.0062097],
      [-1, 0.15865525],
      [0, 0.5],
      [0.3, 0.61791142],
      [1.7, 0.95543454],
      [3.5, 0.99976737],
    ];
    for (const [x, p] of cdf) {
      let below = 0;
      for (const v of z) if (v < x) below++;
      // Binomial standard error √(p(1−p)/n) ≤ 5e-4; allow 5 of them.
      expect(Math.abs(below / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n) + 1e-6);
    }
  });

  it('has no correlation between neighbouring entries or neighbouring runs', () => {
    const n = GAUSS_RUN * 2048;
    const z = gaussianArray(n, address);
    let lag1 = 0;
    for (let i = 1; i < n; i++) lag1 += (z[i] as number) * (z[i - 1] as number);
    // Entry k of run b against entry k of run b+1: the Philox seeding must make runs independent.
    let acrossRuns = 0;
    for (let i = GAUSS_RUN; i < n; i++) acrossRuns += (z[i] as number) * (z[i - GAUSS_RUN] as number);
    // Each sum of products has standard deviation √n ≈ 724: |mean| < 5/√n.
    expect(Math.abs(lag1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(acrossRuns / n)).toBeLessThan(5 / Math.sqrt(n));
  });

  it('gives uniform and Rademacher entries with the right moments', () => {
    const n = 1 << 18;
    const u = new Float32Array(n);
    fillUniform(u, address);
    const r = new Float32Array(n);
    fillRademacher(r, address, 5);
    let um = 0;
    let rm = 0;
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const ui = u[i] as number;
      const ri = r[i] as number;
      um += ui;
      rm += ri;
      if (!(ui > 0 && ui < 1) || Math.abs(ri) !== 1) outOfRange++;
    }
    expect(outOfRange).toBe(0);
    expect(Math.abs(um / n - 0.5)).toBeLessThan(3e-3);
    expect(Math.abs(rm / n)).toBeLessThan(1e-2);
  });
});

describe('run seed sequence', () => {
  it('is a pure function of (run seed, step) with 53-bit outputs', () => {
    const seeds = Array.from({ length: 1000 }, (_, t) => stepSeed(42, t));
    expect(new Set(seeds).size).toBe(1000);
    for (const s of seeds) expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
    expect(stepSeed(42, 17)).toBe(seeds[17]);
    expect(stepSeed(43, 17)).not.toBe(seeds[17]);
    expect(Math.max(...seeds)).toBeGreaterThan(2 ** 50);
  });
});
