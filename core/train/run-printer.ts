// How `zo-studio train` and `resume` show a run: one JSON object per line with --json (snake_case
// keys, `type` = the event kind, the summary last), or a readable progress display otherwise.
import type { RunEvent } from './events.ts';

export type Write = (text: string) => void;

/** A RunEvent as the CLI's JSON line: `{"type":kind,"run_id":...,<fields in snake_case>}`. */
export function eventJsonLine(runId: string, event: RunEvent): string {
  const { kind, ...fields } = event;
  const line: Record<string, unknown> = { type: kind, run_id: runId };
  for (const [key, value] of Object.entries(fields)) line[snakeCase(key)] = value;
  return `${JSON.stringify(line)}\n`;
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Readable progress: a line per status, evaluation and checkpoint; steps at most every few seconds. */
export class HumanPrinter {
  private lastStepPrintMs = Number.NEGATIVE_INFINITY;
  private totalSteps = 0;

  constructor(
    private readonly write: Write,
    private readonly stepIntervalMs = 2000,
  ) {}

  print(runId: string, event: RunEvent): void {
    switch (event.kind) {
      case 'status':
        return this.write(`[${runId}] ${event.status}${event.message ? `: ${event.message}` : ''}\n`);
      case 'started':
        this.totalSteps = event.totalSteps;
        return this.write(
          `[${runId}] ${event.resumedFromStep !== null ? `resumed at step ${event.resumedFromStep}, ` : ''}` +
            `${event.totalSteps} steps × ${event.forwardPassesPerStep} forward passes, ` +
            `${event.trainableParameters.toLocaleString('en-US')} trainable parameters, ` +
            `${event.trainRows} train / ${event.validationRows} validation rows, device ${event.device}` +
            `${event.deviceNote ? ` (${event.deviceNote})` : ''}\n`,
        );
      case 'step': {
        const now = performance.now();
        if (now - this.lastStepPrintMs < this.stepIntervalMs && event.step !== this.totalSteps) return;
        this.lastStepPrintMs = now;
        const eta = event.etaMs === null ? '' : `, ETA ${formatDuration(event.etaMs)}`;
        return this.write(
          `step ${event.step}/${this.totalSteps}  loss ${event.trainLoss.toFixed(4)}  lr ${event.learningRate.toExponential(2)}  ` +
            `${event.forwardPasses} fp  ${event.stepsPerSecond.toFixed(1)} steps/s  ` +
            `${(event.memoryBytes / 2 ** 20).toFixed(0)} MiB${eta}\n`,
        );
      }
      case 'eval': {
        const metrics = Object.entries(event.metrics)
          .map(([name, value]) => `${name} ${value.toFixed(4)}`)
          .join('  ');
        return this.write(
          `${event.isBaseline ? 'baseline (zero-shot)' : `eval @ step ${event.step}`}: ${metrics}\n`,
        );
      }
      case 'checkpoint':
        return this.write(`checkpoint @ step ${event.step} (${event.reason}): ${event.path}\n`);
      case 'checkpoint-removed':
        return this.write(`checkpoint @ step ${event.step} removed: ${event.reason}\n`);
      case 'error':
        return this.write(`error: ${event.message}\n`);
      case 'notice':
        return this.write(`note: ${event.message}\n`);
      case 'summary': {
        const metrics = Object.entries(event.metrics)
          .map(([name, value]) => `  ${name.padEnd(24)} ${value.toFixed(5)}`)
          .join('\n');
        return this.write(
          `run ${runId} ${event.status} (${event.reason}) after ${event.steps} steps, ` +
            `${event.forwardPasses} forward passes, ${formatDuration(event.elapsedMs)}\n${metrics}\n`,
        );
      }
    }
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
