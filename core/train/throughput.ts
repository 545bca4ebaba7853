// Training speed over a sliding window of recent steps, for the progress display and the ETA. A
// window (not the run average) so the numbers follow the machine's current pace; `restart` after a
// pause so waiting time never counts as slow training.
const WINDOW_STEPS = 20;

interface Sample {
  atMs: number;
  forwardPasses: number;
  tokens: number;
}

export interface Rates {
  stepsPerSecond: number;
  forwardPassesPerSecond: number;
  tokensPerSecond: number;
}

export class ThroughputMeter {
  private samples: Sample[] = [];

  /** Marks the start of timing (run start, or after a pause). */
  restart(atMs = performance.now()): void {
    this.samples = [{ atMs, forwardPasses: 0, tokens: 0 }];
  }

  /** Records one finished step with the forward passes and tokens it processed. */
  recordStep(forwardPasses: number, tokens: number, atMs = performance.now()): void {
    if (this.samples.length === 0) this.restart(atMs);
    this.samples.push({ atMs, forwardPasses, tokens });
    if (this.samples.length > WINDOW_STEPS + 1) this.samples.shift();
  }

  rates(): Rates {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    const seconds = first && last ? (last.atMs - first.atMs) / 1000 : 0;
    if (seconds <= 0) return { stepsPerSecond: 0, forwardPassesPerSecond: 0, tokensPerSecond: 0 };
    // The first sample is the window's start mark; its own work happened before the window.
    const counted = this.samples.slice(1);
    const sum = (pick: (sample: Sample) => number): number =>
      counted.reduce((total, s) => total + pick(s), 0);
    return {
      stepsPerSecond: counted.length / seconds,
      forwardPassesPerSecond: sum((s) => s.forwardPasses) / seconds,
      tokensPerSecond: sum((s) => s.tokens) / seconds,
    };
  }

  /** Time left for `remainingSteps` at the current pace; null before any step was timed. */
  etaMs(remainingSteps: number): number | null {
    const { stepsPerSecond } = this.rates();
    return stepsPerSecond > 0 ? (remainingSteps / stepsPerSecond) * 1000 : null;
  }
}
