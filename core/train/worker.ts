// Entry of a training worker: one run per worker. Commands come in through the host port; every
// RunEvent goes out unthrottled (the host records each step and rate-limits what it forwards).
import { RunControl } from './control.ts';
import { runTraining } from './loop.ts';
import { connectToHost } from './port.ts';
import type { TrainingJob } from './protocol.ts';

const port = connectToHost();
const control = new RunControl();
let isStarted = false;

port.onMessage((command) => {
  switch (command.type) {
    case 'start':
      if (isStarted) return;
      isStarted = true;
      void run(command.job);
      return;
    case 'pause':
      return control.pause();
    case 'resume':
      return control.resume();
    case 'cancel':
      return control.cancel();
    case 'stop':
      return control.stop();
  }
});

async function run(job: TrainingJob): Promise<void> {
  try {
    await runTraining(job, control, (event) => port.postMessage({ type: 'event', event }));
  } catch (error) {
    // runTraining reports its own failures; this only catches a bug in that reporting.
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    port.postMessage({ type: 'event', event: { kind: 'error', message } });
  } finally {
    port.postMessage({ type: 'done' });
    port.close();
  }
}
