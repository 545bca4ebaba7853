// Writes one run's events into the run history. Every step is recorded (subscribers may only see a
// coalesced subset): step metrics are buffered and written in one transaction every few hundred ms,
// and always before a checkpoint row, so the history never points at a checkpoint whose steps are
// missing. Steps replayed after a resume overwrite their earlier rows (the store upserts by step).
import type { RunEvent } from './events.ts';
import type { RunStore } from '../store/run-store.ts';
import type { MetricPoint } from '../store/types.ts';

const FLUSH_INTERVAL_MS = 250;

/** Metric names in the history: `train_loss`, `learning_rate`, and `val_<metric>` per evaluation. */
export const TRAIN_LOSS = 'train_loss';
export const LEARNING_RATE = 'learning_rate';
export const validationMetric = (name: string): string => `val_${name}`;

export class RunRecorder {
  private buffered: MetricPoint[] = [];
  private lastFlushMs = performance.now();

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
  ) {}

  record(event: RunEvent): void {
    switch (event.kind) {
      case 'status':
        this.flush();
        this.store.updateStatus(
          this.runId,
          event.status,
          event.status === 'failed' ? event.message : undefined,
        );
        return;
      case 'step': {
        const at = { step: event.step, forwardPasses: event.forwardPasses, wallMs: event.elapsedMs };
        this.buffered.push({ ...at, name: TRAIN_LOSS, value: event.trainLoss });
        this.buffered.push({ ...at, name: LEARNING_RATE, value: event.learningRate });
        if (performance.now() - this.lastFlushMs >= FLUSH_INTERVAL_MS) this.flush();
        return;
      }
      case 'eval': {
        const at = { step: event.step, forwardPasses: event.forwardPasses, wallMs: event.elapsedMs };
        for (const [name, value] of Object.entries(event.metrics)) {
          this.buffered.push({ ...at, name: validationMetric(name), value });
        }
        this.flush();
        const split = event.isBaseline ? 'baseline' : 'validation';
        // A resumed run re-evaluates the steps after its checkpoint; keep one row per (step, split).
        const isRecorded = this.store.listEvals(this.runId, split).some((e) => e.step === event.step);
        if (!isRecorded) this.store.addEval(this.runId, { ...at, split, metrics: event.metrics });
        return;
      }
      case 'checkpoint':
        this.flush();
        this.store.addCheckpoint(this.runId, { step: event.step, path: event.path, bytes: event.bytes });
        for (const step of event.removedSteps) this.store.removeCheckpoint(this.runId, step);
        return;
      case 'checkpoint-removed':
        this.store.removeCheckpoint(this.runId, event.step);
        return;
      case 'summary':
      case 'error':
        this.flush();
        return;
      case 'started':
      case 'notice':
        return;
    }
  }

  flush(): void {
    this.lastFlushMs = performance.now();
    if (this.buffered.length === 0) return;
    const points = this.buffered;
    this.buffered = [];
    this.store.appendMetrics(this.runId, points);
  }
}
