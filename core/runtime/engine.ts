// Engine: one model + PEFT mode + output set, compiled once into an ORT session. A forward pass takes a
// batch and the trainable tensors' values (in `trainables` order) and returns per-example losses and
// the requested small outputs, so a perturbed model is just a different feed, never a new session.
// ORT's run blocks its thread, so callers that must stay responsive run an Engine in a worker_thread.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeGraph } from '../graph/onnx/write-model.ts';
import { buildTrainingGraph, type GraphOutputOptions } from '../graph/training-graph.ts';
import type { LoraForm } from '../graph/weights.ts';
import type { LoadedModel } from '../models/types.ts';
import type { PeftConfig, Trainable, TrainableRole } from '../peft/plan.ts';
import {
  float32Tensor,
  int64Tensor,
  resolveEp,
  Session,
  type EpChoice,
  type ExecutionProvider,
  type ResolvedEp,
  type Tensor,
} from './backend.ts';
import { validateBatch, type Batch } from './batch.ts';
import { DeviceParamView, GpuParamStore } from './gpu-param-store.ts';

export type { Batch } from './batch.ts';

export interface EngineOptions {
  /**
   * A choice to resolve, or one resolveEp already made: callers whose graph depends on the device
   * resolve first, so `auto` is probed (and timed) once and cannot answer differently the second time.
   */
  ep?: EpChoice | ResolvedEp;
  peft?: PeftConfig;
  outputs?: GraphOutputOptions;
  threads?: number;
  /** CPU contrib kernels (norms, RoPE, attention); on for the CPU EP only by default (core/graph/DESIGN.md). */
  fused?: boolean;
  /** How LoRA enters the graph (graph/blocks/linear.ts); default 'branch'. */
  loraForm?: LoraForm;
  /** Benchmarks: ORT per-node profile written to `<prefix>_<timestamp>.json` on dispose (backend.ts). */
  profilePrefix?: string;
}

export interface ForwardOutput {
  loss: Float32Array;
  tokenCount?: Float32Array;
  candidateLogits?: Float32Array;
  lastLogits?: Float32Array;
  hidden?: Float32Array;
  hiddenGrad?: Float32Array;
  /** [B, layers·2, kv, T, d]: see GraphOutputOptions.keyValues. */
  keyValues?: Float32Array;
}

export interface TrainableInfo {
  name: string;
  shape: number[];
  role: TrainableRole;
}

const OUTPUT_FIELDS = {
  loss: 'loss',
  token_count: 'tokenCount',
  candidate_logits: 'candidateLogits',
  last_logits: 'lastLogits',
  hidden: 'hidden',
  hidden_grad: 'hiddenGrad',
  key_values: 'keyValues',
} as const satisfies Record<string, keyof ForwardOutput>;

export class Engine {
  readonly trainables: ReadonlyArray<TrainableInfo>;
  readonly ep: ExecutionProvider;
  readonly epNote?: string;
  private readonly model: LoadedModel;
  private readonly session: Session;
  private readonly workDir: string;
  private readonly plan: readonly Trainable[];
  private readonly outputs: GraphOutputOptions;
  private readonly prefixTokens: number;

  private constructor(init: {
    model: LoadedModel;
    session: Session;
    workDir: string;
    plan: readonly Trainable[];
    outputs: GraphOutputOptions;
    ep: ExecutionProvider;
    epNote?: string;
    prefixTokens: number;
  }) {
    this.model = init.model;
    this.session = init.session;
    this.workDir = init.workDir;
    this.plan = init.plan;
    this.outputs = init.outputs;
    this.ep = init.ep;
    this.epNote = init.epNote;
    this.prefixTokens = init.prefixTokens;
    this.trainables = init.plan.map(({ name, shape, role }) => ({ name, shape: [...shape], role }));
  }

  static async create(model: LoadedModel, options: EngineOptions = {}): Promise<Engine> {
    const { ep, note } = typeof options.ep === 'object' ? options.ep : await resolveEp(options.ep ?? 'cpu');
    const outputs = options.outputs ?? {};
    const peft = options.peft ?? { kind: 'none' };
    const { graph, plan } = buildTrainingGraph(model, {
      peft,
      outputs,
      fused: options.fused ?? ep === 'cpu',
      loraForm: options.loraForm,
    });
    // The model file and its external weights live until dispose(): ORT may map the weights file.
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'zo-engine-'));
    try {
      const session = await Session.open(writeGraph(graph, workDir), {
        ep,
        threads: options.threads,
        profilePrefix: options.profilePrefix,
      });
      return new Engine({
        model,
        session,
        workDir,
        plan: plan.trainables,
        outputs,
        ep,
        epNote: note,
        prefixTokens: plan.prefix?.tokens ?? 0,
      });
    } catch (error) {
      rmSync(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Initial values of the trainables (LoRA A seeded, B zero; full mode: the checkpoint weights). */
  initialParams(): Float32Array[] {
    return this.plan.map((t) => t.init());
  }

  /**
   * One forward pass. `params` are the trainables' values in `trainables` order: CPU arrays (uploaded
   * by ORT on a GPU EP), or on WebGPU a GpuParamStore whose tensors already live on the device, or a
   * view of it with some tensors swapped for perturbed temporaries (GpuParamStore.view).
   */
  async forward(
    batch: Batch,
    params: readonly Float32Array[] | GpuParamStore | DeviceParamView,
  ): Promise<ForwardOutput> {
    validateBatch(batch, {
      vocab: this.model.config.vocab,
      maxSeqLen: this.model.config.maxPositions - this.prefixTokens,
      needsCandidates: this.outputs.candidateLogits === true,
      needsAnswerPos:
        (this.outputs.answerPos ?? false) &&
        (this.outputs.candidateLogits || this.outputs.lastLogits) === true,
    });
    const onDevice = params instanceof GpuParamStore || params instanceof DeviceParamView;
    const count = onDevice ? params.size : params.length;
    if (count !== this.plan.length) {
      throw new Error(
        `forward: got ${count} parameter tensors, expected ${this.plan.length} (engine.trainables)`,
      );
    }
    const dims = [batch.batch, batch.seqLen];
    const feeds: Record<string, Tensor> = {
      input_ids: int64Tensor(batch.inputIds, dims),
      attention_mask: int64Tensor(batch.attentionMask, dims),
      labels: int64Tensor(batch.labels, dims),
    };
    if (onDevice) {
      if (this.ep !== 'webgpu')
        throw new Error(`forward: a GpuParamStore feeds only a webgpu engine (this one runs on ${this.ep})`);
      // The store checked every tensor's shape when it was filled (and temporaries are made like them).
      this.plan.forEach((t, i) => (feeds[t.name] = params.feeds[i] as Tensor));
    } else {
      this.plan.forEach((t, i) => {
        const value = params[i] as Float32Array;
        const size = t.shape.reduce((a, b) => a * b, 1);
        if (value.length !== size) {
          throw new Error(
            `forward: "${t.name}" has ${value.length} values, expected ${size} for [${t.shape.join(', ')}]`,
          );
        }
        feeds[t.name] = float32Tensor(value, t.shape);
      });
    }
    if (this.session.inputNames.includes('candidate_ids') && batch.candidateIds && batch.candidates) {
      feeds.candidate_ids = int64Tensor(batch.candidateIds, [batch.batch, batch.candidates]);
    }
    if (this.session.inputNames.includes('answer_pos') && batch.answerPos) {
      feeds.answer_pos = int64Tensor(batch.answerPos, [batch.batch]);
    }
    const results = await this.session.run(feeds, this.session.outputNames);
    const out: ForwardOutput = { loss: results.loss as Float32Array };
    for (const [name, field] of Object.entries(OUTPUT_FIELDS)) {
      const value = results[name];
      if (value) out[field] = value;
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
