// The main process's side of the backend worker: forwards calls and matches results by id, fans
// events out, and restarts the worker if it dies (runs are recoverable from the store; calls that
// were in flight fail with a message instead of hanging).
import type { ApiEvent } from '../../core/api/events.ts';
import type { CallResult } from '../../core/api/protocol.ts';
import { fromWorkerSchema, type ToWorker } from './backend-protocol.ts';
import type { WorkerHandle } from './worker-port.ts';

export interface BackendHostOptions {
  spawn: () => WorkerHandle;
  dataDir: string;
  /** Restarts allowed within `restartWindowMs` before the host gives up (a crash loop). */
  maxRestarts?: number;
  restartWindowMs?: number;
}

export class BackendHost {
  readonly #options: Required<BackendHostOptions>;
  readonly #pending = new Map<number, (result: CallResult) => void>();
  readonly #listeners = new Set<(event: ApiEvent) => void>();
  #worker: WorkerHandle | null = null;
  #ready: Promise<void> = Promise.resolve();
  #nextId = 1;
  #restarts: number[] = [];
  #isClosed = false;
  #fatal: string | null = null;

  constructor(options: BackendHostOptions) {
    this.#options = { maxRestarts: 3, restartWindowMs: 60_000, ...options };
    this.#start();
  }

  #start(): void {
    const worker = this.#options.spawn();
    this.#worker = worker;
    let markReady!: () => void;
    let markFailed!: (error: Error) => void;
    this.#ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    this.#ready.catch(() => undefined); // observed by call(); avoid an unhandled rejection here
    worker.onMessage((raw) => {
      const message = fromWorkerSchema.safeParse(raw);
      if (!message.success)
        return console.error('zo: malformed message from backend worker', message.error.message);
      const data = message.data;
      if (data.type === 'ready') markReady();
      else if (data.type === 'fatal') {
        this.#fatal = data.message;
        markFailed(new Error(data.message));
      } else if (data.type === 'event') for (const listener of this.#listeners) listener(data.event);
      else {
        this.#pending.get(data.id)?.(data.result);
        this.#pending.delete(data.id);
      }
    });
    worker.onExit((code) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#failPending(`the backend process exited (code ${code}); it is being restarted`);
      markFailed(new Error(`backend exited with code ${code}`));
      if (!this.#isClosed) this.#maybeRestart(code);
    });
    this.#send({ type: 'init', dataDir: this.#options.dataDir });
  }

  #maybeRestart(code: number): void {
    const now = Date.now();
    this.#restarts = this.#restarts.filter((at) => now - at < this.#options.restartWindowMs);
    if (this.#restarts.length >= this.#options.maxRestarts) {
      this.#fatal = `the backend process keeps exiting (last code ${code}); restart the app`;
      return;
    }
    this.#restarts.push(now);
    this.#start();
  }

  #failPending(message: string): void {
    for (const [id, resolve] of this.#pending) {
      resolve({ ok: false, error: { code: 'internal', message } });
      this.#pending.delete(id);
    }
  }

  #send(message: ToWorker): void {
    this.#worker?.post(message);
  }

  async call(method: string, payload: unknown): Promise<CallResult> {
    try {
      await this.#ready;
    } catch (error) {
      return { ok: false, error: { code: 'internal', message: this.#fatal ?? (error as Error).message } };
    }
    if (!this.#worker)
      return { ok: false, error: { code: 'internal', message: this.#fatal ?? 'backend is restarting' } };
    const id = this.#nextId++;
    return new Promise<CallResult>((resolve) => {
      this.#pending.set(id, resolve);
      this.#send({ type: 'call', id, method, payload });
    });
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#isClosed = true;
    this.#failPending('the app is closing');
    this.#worker?.kill();
    this.#worker = null;
  }
}
