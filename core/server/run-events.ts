// Training events (core/train's RunEvent, per run) → API events. Checkpoint, notice and summary
// events stay in the backend: the UI learns the end of a run from its status event.
import type { ApiEvent } from '../api/events.ts';
import type { RunEvent } from '../train/events.ts';

export function toApiEvents(runId: string, events: readonly RunEvent[]): ApiEvent[] {
  const out: ApiEvent[] = [];
  for (const event of events) {
    switch (event.kind) {
      case 'step':
        out.push({
          kind: 'run.step',
          runId,
          step: event.step,
          forwardPasses: event.forwardPasses,
          elapsedMs: event.elapsedMs,
          trainLoss: event.trainLoss,
          learningRate: event.learningRate,
          stepsPerSecond: event.stepsPerSecond,
          etaMs: event.etaMs,
          memoryBytes: event.memoryBytes,
          device: event.device,
        });
        break;
      case 'eval':
        out.push({
          kind: 'run.eval',
          runId,
          step: event.step,
          forwardPasses: event.forwardPasses,
          elapsedMs: event.elapsedMs,
          isBaseline: event.isBaseline,
          metrics: event.metrics,
        });
        break;
      case 'status':
        out.push({
          kind: 'run.status',
          runId,
          status: event.status,
          ...(event.message ? { message: event.message } : {}),
        });
        break;
      default:
        break;
    }
  }
  return out;
}
