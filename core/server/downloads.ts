// Hub downloads started from the UI: each gets an id, runs in the background, and reports through
// download.progress events (at most every 200 ms per download, plus the final event) so a 500 MB
// model does not flood the socket. The files land in <dataDir>/hub, core/hub's resumable cache.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ApiEventOf } from '../api/events.ts';
import type { DownloadProgress } from '../hub/download-file.ts';
import type { EventBus } from './event-bus.ts';

type What = ApiEventOf<'download.progress'>['what'];
type Job = (onProgress: (progress: DownloadProgress) => void) => Promise<string>;

const minIntervalMs = 200;

export class Downloads {
  readonly cacheDir: string;
  readonly #events: EventBus;

  constructor(dataDir: string, events: EventBus) {
    this.cacheDir = join(dataDir, 'hub');
    this.#events = events;
  }

  /** Starts `job` and returns its download id at once; the result path arrives in the final event. */
  start(what: What, id: string, job: Job): string {
    const downloadId = randomUUID();
    let last: DownloadProgress = { file: '', loadedBytes: 0, totalBytes: null };
    let lastSentMs = 0;
    const publish = (state: 'running' | 'done' | 'failed', result?: string) =>
      this.#events.publish({
        kind: 'download.progress',
        downloadId,
        what,
        id,
        ...last,
        state,
        ...(result === undefined ? {} : { result }),
      });
    job((progress) => {
      last = progress;
      const now = Date.now();
      if (now - lastSentMs >= minIntervalMs) {
        lastSentMs = now;
        publish('running');
      }
    }).then(
      (result) => publish('done', result),
      (error: unknown) => publish('failed', error instanceof Error ? error.message : String(error)),
    );
    return downloadId;
  }
}
