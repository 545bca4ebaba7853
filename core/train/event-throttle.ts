// Bounds how often progress reaches listeners (IPC, WebSocket, terminal): a tiny model steps
// thousands of times a second and the UI must not drown. Progress kinds (step, throughput, memory)
// coalesce to their newest value and flush at most once per interval; everything else (status,
// eval, checkpoint, error, summary) is delivered at once, after flushing pending progress so the
// order listeners see is the order the run produced.
import { COALESCABLE_KINDS, type RunEvent, type RunEventKind } from './events.ts';

export class EventThrottle {
  private readonly pending = new Map<RunEventKind, RunEvent>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deliver: (events: RunEvent[]) => void,
    /** 100 ms → at most 10 deliveries of progress per second. */
    private readonly intervalMs = 100,
  ) {}

  push(event: RunEvent): void {
    if (!COALESCABLE_KINDS.has(event.kind)) {
      this.flush([event]);
      return;
    }
    // Delete first so the map's insertion order is the order of the newest events.
    this.pending.delete(event.kind);
    this.pending.set(event.kind, event);
    const waitMs = this.lastFlushMs + this.intervalMs - performance.now();
    if (waitMs <= 0) this.flush([]);
    else this.timer ??= setTimeout(() => this.flush([]), Math.ceil(waitMs));
  }

  /** Delivers whatever progress is pending now (call before the run's listeners go away). */
  flush(trailing: RunEvent[] = []): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const events = [...this.pending.values(), ...trailing];
    const hadProgress = this.pending.size > 0;
    this.pending.clear();
    if (hadProgress) this.lastFlushMs = performance.now();
    if (events.length > 0) this.deliver(events);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
