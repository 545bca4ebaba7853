// The messages between a training worker and its host (TrainingManager). Plain structured-clone
// data, so the same protocol runs over worker_threads, child_process.fork (serialization
// 'advanced') and Electron's utilityProcess.
import type { RunConfig } from './config.ts';
import type { RunEvent } from './events.ts';

/** What a worker needs to run (or continue) one run. */
export interface TrainingJob {
  runId: string;
  config: RunConfig;
  /** Folder for this run's checkpoints (created on first write). */
  checkpointDir: string;
  /**
   * Continue from this checkpoint file: a resume (same config: same trajectory) or a fork (changed
   * settings; estimator/optimizer state is kept only where the estimator/update rule is unchanged).
   */
  fromCheckpoint?: string;
}

export type WorkerCommand =
  | { type: 'start'; job: TrainingJob }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' }
  /** The host is going away: checkpoint, leave the run paused (resumable), and exit. */
  | { type: 'stop' };

export type WorkerMessage =
  | { type: 'event'; event: RunEvent }
  /** The worker has finished (after its summary event) and may be terminated. */
  | { type: 'done' };
