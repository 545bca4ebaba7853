// Which tensors a PEFT mode trains, what they are called and how they start. The plan is the one source
// for both the graph (which values become graph inputs) and the engine (trainables, initial values).
// Names are Hugging Face PEFT state-dict keys, so adapter export is a rename-free copy:
//   lora    base_model.model.<module>.lora_A.weight [r, in], lora_B.weight [out, r]; Δy = (α/r)·x·Aᵀ·Bᵀ
//   prefix  prompt_embeddings [N, layers·2·kvHeads·headDim] (PEFT prefix tuning without projection)
//   full    every checkpoint weight under its own key (a tied embedding once)
//   lowrank full + per linear weight W (stored rows×cols): <key>.lowrank_U [rows, r], .lowrank_V [cols, r],
//           the graph adds x·(U·Vᵀ) in W's own orientation, so ΔW = U·Vᵀ never materializes.
import type { Family, LayerWeight, LoadedModel, WeightRef } from '../models/types.ts';
import { linearDims } from './linear-dims.ts';
import { kaimingUniform } from './seeded-init.ts';

export type PeftConfig =
  | { kind: 'none' }
  | { kind: 'lora'; rank: number; alpha: number; targets?: readonly string[]; seed?: number }
  | { kind: 'prefix'; tokens: number }
  | { kind: 'full' }
  | { kind: 'lowrank'; rank: number };

export type TrainableRole =
  | 'lora_A'
  | 'lora_B'
  | 'prefix'
  | 'embedding'
  | 'positions'
  | 'weight'
  | 'bias'
  | 'norm'
  | 'lowrank_U'
  | 'lowrank_V';

export interface Trainable {
  name: string;
  shape: number[];
  role: TrainableRole;
  init(): Float32Array;
}

export interface LoraBranch {
  a: string;
  b: string;
  rank: number;
  scale: number;
}

export interface PeftPlan {
  config: PeftConfig;
  trainables: Trainable[];
  /** Checkpoint keys fed as graph inputs instead of initializers (full, lowrank). */
  weightInputs: ReadonlySet<string>;
  /** Checkpoint key of a linear weight → its LoRA branch. */
  lora: ReadonlyMap<string, LoraBranch>;
  /** Checkpoint key of a linear weight → its low-rank branch inputs. */
  lowrank: ReadonlyMap<string, { u: string; v: string }>;
  prefix?: { name: string; tokens: number };
}

export const LINEAR_ROLES: readonly LayerWeight[] = ['q', 'k', 'v', 'qkv', 'o', 'gate', 'up', 'down'];
const DEFAULT_LORA_TARGETS: Record<Family, readonly string[]> = {
  llama: ['q_proj', 'v_proj'],
  opt: ['q_proj', 'v_proj'],
  gpt2: ['c_attn'],
};
const DEFAULT_LORA_SEED = 0;

/** The module path PEFT sees: GPT-2 checkpoints saved from GPT2Model lack the LM wrapper's `transformer.`. */
function modulePath(family: Family, key: string): string {
  const module = key.replace(/\.weight$/, '');
  return family === 'gpt2' && !module.startsWith('transformer.') ? `transformer.${module}` : module;
}

function roleOf(role: string): TrainableRole {
  if (role === 'embed') return 'embedding';
  if (role === 'positions') return 'positions';
  if (/Norm(Bias)?$/.test(role)) return 'norm';
  if (role.endsWith('Bias')) return 'bias';
  return 'weight';
}

/** Every distinct checkpoint tensor of the layout, in layout order, with its trainable role. */
function allWeights(model: LoadedModel): { ref: WeightRef; role: TrainableRole; layerRole: string }[] {
  const seen = new Set<string>();
  const out: { ref: WeightRef; role: TrainableRole; layerRole: string }[] = [];
  const visit = (layerRole: string, ref: WeightRef | undefined) => {
    if (!ref || seen.has(ref.key)) return;
    seen.add(ref.key);
    out.push({ ref, role: roleOf(layerRole), layerRole });
  };
  for (const [role, ref] of Object.entries(model.layout.global)) visit(role, ref);
  for (const layer of model.layout.layers) for (const [role, ref] of Object.entries(layer)) visit(role, ref);
  return out;
}

function linearWeights(model: LoadedModel): WeightRef[] {
  return model.layout.layers.flatMap((layer) =>
    LINEAR_ROLES.map((role) => layer[role]).filter((ref): ref is WeightRef => ref !== undefined),
  );
}

function requirePositiveInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`peft: ${field} must be a positive integer, got ${value}`);
}

export function planPeft(model: LoadedModel, config: PeftConfig): PeftPlan {
  const family = model.config.family;
  const trainables: Trainable[] = [];
  const weightInputs = new Set<string>();
  const lora = new Map<string, LoraBranch>();
  const lowrank = new Map<string, { u: string; v: string }>();
  let prefix: PeftPlan['prefix'];

  if (config.kind === 'full' || config.kind === 'lowrank') {
    for (const { ref, role } of allWeights(model)) {
      weightInputs.add(ref.key);
      trainables.push({
        name: ref.key,
        shape: [...ref.shape],
        role,
        init: () => model.weights.readFloat32(ref.key),
      });
    }
  }
  if (config.kind === 'lowrank') {
    requirePositiveInt(config.rank, 'lowrank rank');
    for (const ref of linearWeights(model)) {
      const [rows, cols] = ref.shape as [number, number];
      const u = `${ref.key}.lowrank_U`;
      const v = `${ref.key}.lowrank_V`;
      lowrank.set(ref.key, { u, v });
      trainables.push({
        name: u,
        shape: [rows, config.rank],
        role: 'lowrank_U',
        init: () => new Float32Array(rows * config.rank),
      });
      trainables.push({
        name: v,
        shape: [cols, config.rank],
        role: 'lowrank_V',
        init: () => new Float32Array(cols * config.rank),
      });
    }
  }
  if (config.kind === 'lora') {
    requirePositiveInt(config.rank, 'lora rank');
    const targets = config.targets ?? DEFAULT_LORA_TARGETS[family];
    const seed = config.seed ?? DEFAULT_LORA_SEED;
    const candidates = linearWeights(model);
    const matches = (module: string, target: string) => module === target || module.endsWith(`.${target}`);
    for (const target of targets) {
      if (!candidates.some((ref) => matches(modulePath(family, ref.key), target))) {
        const names = [...new Set(candidates.map((ref) => modulePath(family, ref.key).split('.').pop()))];
        throw new Error(
          `peft: LoRA target "${target}" matches no linear module; available: ${names.join(', ')}`,
        );
      }
    }
    for (const ref of candidates) {
      const module = modulePath(family, ref.key);
      if (!targets.some((t) => matches(module, t))) continue;
      const dims = linearDims(family, ref.shape);
      const r = config.rank;
      const a = `base_model.model.${module}.lora_A.weight`;
      const b = `base_model.model.${module}.lora_B.weight`;
      lora.set(ref.key, { a, b, rank: r, scale: config.alpha / r });
      trainables.push({
        name: a,
        shape: [r, dims.in],
        role: 'lora_A',
        init: () => kaimingUniform(r * dims.in, dims.in, seed, a),
      });
      // B starts at zero (PEFT's default), so the adapted model equals the base model at step 0.
      trainables.push({
        name: b,
        shape: [dims.out, r],
        role: 'lora_B',
        init: () => new Float32Array(dims.out * r),
      });
    }
  }
  if (config.kind === 'prefix') {
    requirePositiveInt(config.tokens, 'prefix tokens');
    const { layers, kvHeads, headDim } = model.config;
    const width = layers * 2 * kvHeads * headDim;
    const name = 'prompt_embeddings';
    prefix = { name, tokens: config.tokens };
    // Zero keys/values: every prefix slot scores 0 and contributes nothing to the context, but it still
    // takes softmax mass, so this start is NOT the base model (MeZO initializes from real activations).
    trainables.push({
      name,
      shape: [config.tokens, width],
      role: 'prefix',
      init: () => new Float32Array(config.tokens * width),
    });
  }
  return { config, trainables, weightInputs, lora, lowrank, prefix };
}
