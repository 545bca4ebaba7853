// What `zo-studio train` and `zo-studio resume` share: open the run history, start (or resume) a run
// through a TrainingManager, print its events until it ends, and turn Ctrl-C into a clean cancel
// (the worker writes a checkpoint first, so `zo-studio resume` can continue).
import { TrainingManager } from './manager.ts';
import { eventJsonLine, HumanPrinter } from './run-printer.ts';
import { resolveDbPath } from '../store/paths.ts';
import { RunStore } from '../store/run-store.ts';

export interface CliRunOptions {
  /** --db; falls back to ZO_STUDIO_DB, then the user's data directory. */
  db?: string;
  json: boolean;
  /** Starts or resumes the run and returns its id. */
  begin(manager: TrainingManager): string;
}

/** Runs to the end and returns the exit code: 0 completed, 130 cancelled by Ctrl-C, 1 otherwise. */
export async function runFromCli(options: CliRunOptions): Promise<number> {
  const store = RunStore.open(resolveDbPath(options.db));
  for (const notice of store.notices) process.stderr.write(`zo-studio: ${notice}\n`);
  const manager = new TrainingManager({ store });
  const human = new HumanPrinter((text) => process.stdout.write(text));
  manager.subscribe((runId, events) => {
    for (const event of events) {
      if (options.json) process.stdout.write(eventJsonLine(runId, event));
      else human.print(runId, event);
    }
  });
  let isInterrupted = false;
  let runId: string | undefined;
  const onInterrupt = (): void => {
    if (isInterrupted || !runId) process.exit(130);
    isInterrupted = true;
    process.stderr.write('\nzo-studio: cancelling after a last checkpoint (Ctrl-C again to quit now)\n');
    manager.cancel(runId);
  };
  process.on('SIGINT', onInterrupt);
  try {
    runId = options.begin(manager);
    const summary = await manager.waitForEnd(runId);
    if (summary.status === 'completed') return 0;
    return isInterrupted ? 130 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    store.close();
  }
}
