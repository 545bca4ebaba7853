// Training time of a run: what came before this process (from the checkpoint) plus this process's
// time, minus pauses — a run paused overnight did not train for a night, and its wall-clock axis in
// the compare view must not say so.
export class RunClock {
  private beforeMs = 0;
  private startMs = performance.now();
  private pausedAtMs: number | null = null;
  private pausedMs = 0;

  /** Continues from the training time a checkpoint recorded (and restarts this process's share). */
  continueFrom(beforeMs: number): void {
    this.beforeMs = beforeMs;
    this.startMs = performance.now();
    this.pausedMs = 0;
  }

  pause(): void {
    this.pausedAtMs ??= performance.now();
  }

  resume(): void {
    if (this.pausedAtMs !== null) this.pausedMs += performance.now() - this.pausedAtMs;
    this.pausedAtMs = null;
  }

  elapsedMs(): number {
    const now = this.pausedAtMs ?? performance.now();
    return this.beforeMs + now - this.startMs - this.pausedMs;
  }
}
