// The only module that imports onnxruntime-node. It owns the execution-provider table (cpu, webgpu,
// cuda), availability probing with a reason when a provider is missing, `auto` selection, tensor
// construction and session runs. Everything above it sees plain typed arrays.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../graph/builder.ts';
import { encodeGraph } from '../graph/onnx/write-model.ts';

export const EXECUTION_PROVIDERS = ['cpu', 'webgpu', 'cuda'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
export type EpChoice = ExecutionProvider | 'auto';

export type Tensor = ort.Tensor;

export interface EpStatus {
  ep: ExecutionProvider;
  available: boolean;
  /** Why it is unavailable (or a note on how it was checked). */
  reason?: string;
}

export function parseEpChoice(value: string): EpChoice {
  if (value === 'auto' || (EXECUTION_PROVIDERS as readonly string[]).includes(value))
    return value as EpChoice;
  throw new Error(
    `unknown execution provider "${value}"; expected one of: auto, ${EXECUTION_PROVIDERS.join(', ')}`,
  );
}

function providerOptions(ep: ExecutionProvider): ort.InferenceSession.ExecutionProviderConfig[] {
  if (ep === 'webgpu') {
    // Dawn's Vulkan backend wants a runtime dir; a headless CI box often has none.
    process.env.XDG_RUNTIME_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'zo-xdg-'));
    return [{ name: 'webgpu' }];
  }
  return [{ name: ep }];
}

export interface SessionConfig {
  ep: ExecutionProvider;
  /** Intra-op threads (CPU EP); ORT's default (all cores) when omitted. */
  threads?: number;
  /** Where outputs are left: 'gpu-buffer' keeps them on the WebGPU device (see gpu-param-store.ts). */
  outputLocation?: 'cpu' | 'gpu-buffer';
  /**
   * Per-node profiling: ORT writes `<profilePrefix>_<timestamp>.json` (Chrome trace events, one per
   * kernel run) when the session is disposed. For benchmarks only: it slows every run.
   */
  profilePrefix?: string;
}

export class Session {
  private readonly session: ort.InferenceSession;
  private readonly profiling: boolean;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  private constructor(session: ort.InferenceSession, profiling: boolean) {
    this.session = session;
    this.profiling = profiling;
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  static async open(model: string | Uint8Array, config: SessionConfig): Promise<Session> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: providerOptions(config.ep),
      graphOptimizationLevel: 'all',
      // Warnings only: ORT logs every CPU placement of shape ops on GPU EPs, which is by design.
      logSeverityLevel: 3,
      ...(config.threads ? { intraOpNumThreads: config.threads, interOpNumThreads: 1 } : {}),
      ...(config.outputLocation ? { preferredOutputLocation: config.outputLocation } : {}),
      ...(config.profilePrefix ? { enableProfiling: true, profileFilePrefix: config.profilePrefix } : {}),
    };
    const session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, options)
        : await ort.InferenceSession.create(model, options);
    return new Session(session, config.profilePrefix !== undefined);
  }

  /** Runs and returns the fetched outputs as tensors (device tensors when outputLocation is gpu-buffer). */
  async runRaw(feeds: Record<string, Tensor>, fetches: readonly string[]): Promise<Record<string, Tensor>> {
    return this.session.run(feeds, [...fetches]);
  }

  /** Runs and returns the fetched outputs as float32 arrays (they are copied out by the binding). */
  async run(
    feeds: Record<string, Tensor>,
    fetches: readonly string[],
  ): Promise<Record<string, Float32Array>> {
    const results = await this.session.run(feeds, [...fetches]);
    const out: Record<string, Float32Array> = {};
    for (const name of fetches) {
      const tensor = results[name];
      if (!tensor || tensor.type !== 'float32')
        throw new Error(`runtime: output "${name}" missing or not float32`);
      out[name] = tensor.data as Float32Array;
    }
    return out;
  }

  async dispose(): Promise<void> {
    // Writes the profile file; release() alone would drop the events.
    if (this.profiling) this.session.endProfiling();
    await this.session.release();
  }
}

export function float32Tensor(data: Float32Array, dims: readonly number[]): Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Frees a tensor's storage now (required for gpu-buffer tensors, which the GC does not track). */
export function disposeTensor(tensor: Tensor): void {
  tensor.dispose();
}

export function int64Tensor(data: BigInt64Array, dims: readonly number[]): Tensor {
  return new ort.Tensor('int64', data, dims);
}

/** y = x·W with a 64×64 W: enough to make a provider compile and run a real kernel. */
function probeGraph(size: number): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [size, size]);
  const w = g.weight('w', [size, size], () => new Float32Array(size * size).fill(1 / size));
  g.output(g.matmul(x, w), 'y', 'float32', [size, size]);
  return encodeGraph(g);
}

async function timeProbe(ep: ExecutionProvider, size: number, runs: number): Promise<number> {
  const session = await Session.open(probeGraph(size), { ep });
  try {
    const feeds = { x: float32Tensor(new Float32Array(size * size).fill(1), [size, size]) };
    const check = await session.run(feeds, ['y']);
    if (Math.abs((check.y?.[0] ?? NaN) - 1) > 1e-4) throw new Error(`${ep} computed a wrong probe result`);
    const start = performance.now();
    for (let i = 0; i < runs; i++) await session.run(feeds, ['y']);
    return (performance.now() - start) / runs;
  } finally {
    await session.dispose();
  }
}

const statusCache = new Map<ExecutionProvider, Promise<EpStatus>>();

/** Whether `ep` can create and run a session here; cached per process. */
export function probeEp(ep: ExecutionProvider): Promise<EpStatus> {
  let status = statusCache.get(ep);
  if (!status) {
    status = (async (): Promise<EpStatus> => {
      const listed = ort.listSupportedBackends().find((b) => b.name === ep);
      if (!listed)
        return { ep, available: false, reason: `this onnxruntime-node build has no ${ep} provider` };
      try {
        await timeProbe(ep, 64, 1);
        return { ep, available: true };
      } catch (error) {
        const hint =
          ep === 'cuda'
            ? ' (the CUDA provider libraries are not installed: on Linux x64 with CUDA 12 and cuDNN 9, run `npm rebuild onnxruntime-node` with ONNXRUNTIME_NODE_INSTALL=cuda12)'
            : '';
        return {
          ep,
          available: false,
          reason: `${ep} failed to start: ${(error as Error).message.split('\n')[0]}${hint}`,
        };
      }
    })();
    statusCache.set(ep, status);
  }
  return status;
}

/**
 * Resolves `auto` (or checks an explicit choice): CUDA when it starts; else WebGPU when it starts AND
 * runs a 512² matmul faster than the CPU (a software Vulkan device such as lavapipe is far slower);
 * else CPU. The note says why a faster provider was not used.
 */
/** An execution provider chosen and checked by resolveEp, with why `auto` fell back (if it did). */
export interface ResolvedEp {
  ep: ExecutionProvider;
  note?: string;
}

export async function resolveEp(choice: EpChoice): Promise<ResolvedEp> {
  if (choice !== 'auto') {
    const status = await probeEp(choice);
    if (!status.available) throw new Error(`execution provider ${choice} is not available: ${status.reason}`);
    return { ep: choice };
  }
  const notes: string[] = [];
  const cuda = await probeEp('cuda');
  if (cuda.available) return { ep: 'cuda' };
  notes.push(`cuda: ${cuda.reason}`);
  const webgpu = await probeEp('webgpu');
  if (webgpu.available) {
    const [gpuMs, cpuMs] = [await timeProbe('webgpu', 512, 3), await timeProbe('cpu', 512, 3)];
    if (gpuMs < cpuMs) return { ep: 'webgpu', note: notes.join('; ') };
    notes.push(
      `webgpu: slower than cpu on a 512² matmul (${gpuMs.toFixed(1)} vs ${cpuMs.toFixed(1)} ms; software adapter?)`,
    );
  } else {
    notes.push(`webgpu: ${webgpu.reason}`);
  }
  return { ep: 'cpu', note: notes.join('; ') };
}
