import { describe, expect, it, vi } from 'vitest';
import { RunClock } from '../../core/train/run-clock.ts';

describe('RunClock', () => {
  it('counts training time from the checkpoint on and leaves pauses out', () => {
    let now = 1000;
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const clock = new RunClock();
      clock.continueFrom(5000);
      now = 1300;
      expect(clock.elapsedMs()).toBe(5300);
      clock.pause();
      now = 90_000;
      expect(clock.elapsedMs()).toBe(5300);
      clock.resume();
      now = 90_200;
      expect(clock.elapsedMs()).toBe(5500);
    } finally {
      spy.mockRestore();
    }
  });
});
