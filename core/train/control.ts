// What the user (or the host) asked a live run to do. The loop polls `requested` between steps (a
// forward pass holds the thread, so commands land between steps) and parks in `waitForResume` while
// paused. `stop` is the host going away: checkpoint, leave the run paused, and end the worker.
export type ControlRequest = 'run' | 'pause' | 'cancel' | 'stop';

export class RunControl {
  private request: ControlRequest = 'run';
  private wake: (() => void) | undefined;

  get requested(): ControlRequest {
    return this.request;
  }

  pause(): void {
    if (this.request === 'run') this.request = 'pause';
  }

  resume(): void {
    if (this.request === 'pause') this.request = 'run';
    this.wake?.();
  }

  cancel(): void {
    this.request = 'cancel';
    this.wake?.();
  }

  stop(): void {
    if (this.request !== 'cancel') this.request = 'stop';
    this.wake?.();
  }

  /** Resolves when a paused run is resumed, cancelled or stopped; returns which. */
  async waitForResume(): Promise<Exclude<ControlRequest, 'pause'>> {
    while (this.request === 'pause') await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    return this.request;
  }
}
