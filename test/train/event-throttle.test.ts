import { describe, expect, it } from 'vitest';
import { EventThrottle } from '../../core/train/event-throttle.ts';
import type { RunEvent } from '../../core/train/events.ts';

function step(n: number): RunEvent {
  return {
    kind: 'step',
    step: n,
    forwardPasses: 2 * n,
    elapsedMs: n,
    trainLoss: 1 / (n + 1),
    learningRate: 0.1,
    stepsPerSecond: 1000,
    forwardPassesPerSecond: 2000,
    tokensPerSecond: 1e5,
    etaMs: null,
    memoryBytes: 1e8,
    device: 'cpu',
  };
}

describe('EventThrottle', () => {
  it('bounds progress deliveries to one per interval and always delivers the newest step', async () => {
    const deliveries: { atMs: number; events: RunEvent[] }[] = [];
    const throttle = new EventThrottle((events) => deliveries.push({ atMs: performance.now(), events }), 50);
    const startMs = performance.now();
    let n = 0;
    while (performance.now() - startMs < 300) {
      throttle.push(step(n++));
      await new Promise((resolve) => setImmediate(resolve));
    }
    throttle.flush();
    expect(n).toBeGreaterThan(100);
    // 300 ms at ≤ 1 per 50 ms, plus the first (immediate) and the final flush.
    expect(deliveries.length).toBeLessThanOrEqual(8);
    for (let i = 2; i < deliveries.length - 1; i++) {
      expect(deliveries[i]!.atMs - deliveries[i - 1]!.atMs).toBeGreaterThanOrEqual(48);
    }
    const steps = deliveries.flatMap((d) => d.events).map((e) => (e.kind === 'step' ? e.step : -1));
    expect(steps.at(-1)).toBe(n - 1);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    throttle.dispose();
  });

  it('delivers non-progress events at once, after the progress they followed', () => {
    const delivered: RunEvent[] = [];
    const throttle = new EventThrottle((events) => delivered.push(...events), 10_000);
    throttle.push(step(0)); // first progress goes out immediately
    throttle.push(step(1));
    throttle.push(step(2));
    throttle.push({ kind: 'eval', step: 2, forwardPasses: 4, elapsedMs: 2, isBaseline: false, metrics: {} });
    throttle.push(step(3));
    throttle.push({ kind: 'status', status: 'completed' });
    expect(delivered.map((e) => e.kind)).toEqual(['step', 'step', 'eval', 'step', 'status']);
    expect(delivered.filter((e) => e.kind === 'step').map((e) => e.step)).toEqual([0, 2, 3]);
    throttle.dispose();
  });
});
