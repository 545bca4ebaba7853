import { describe, expect, it } from 'vitest';
import { ThroughputMeter } from '../../core/train/throughput.ts';

describe('ThroughputMeter', () => {
  it('has no rate and no ETA before a step is timed', () => {
    const meter = new ThroughputMeter();
    meter.restart(0);
    expect(meter.rates().stepsPerSecond).toBe(0);
    expect(meter.etaMs(10)).toBeNull();
  });

  it('measures steps, forward passes and tokens per second and derives the ETA', () => {
    const meter = new ThroughputMeter();
    meter.restart(0);
    for (let i = 1; i <= 10; i++) meter.recordStep(2, 128, i * 100);
    expect(meter.rates()).toEqual({ stepsPerSecond: 10, forwardPassesPerSecond: 20, tokensPerSecond: 1280 });
    expect(meter.etaMs(50)).toBeCloseTo(5000, 9);
  });

  it('follows the recent pace, and a restart forgets the pause', () => {
    const meter = new ThroughputMeter();
    meter.restart(0);
    for (let i = 1; i <= 30; i++) meter.recordStep(2, 0, i * 1000); // slow: 1 step/s
    for (let i = 1; i <= 30; i++) meter.recordStep(2, 0, 30_000 + i * 100); // fast: 10 steps/s
    expect(meter.rates().stepsPerSecond).toBeCloseTo(10, 9);
    meter.restart(1_000_000);
    meter.recordStep(2, 0, 1_000_500);
    expect(meter.rates().stepsPerSecond).toBeCloseTo(2, 9);
  });
});
