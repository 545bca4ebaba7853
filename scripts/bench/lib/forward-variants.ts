// The graph variants the forward benchmark compares (all CPU EP), shared by its timing and profile modes.
import type { PeftConfig } from '../../../core/peft/plan.ts';
import type { EngineOptions } from '../../../core/runtime/engine.ts';

const LORA: PeftConfig = { kind: 'lora', rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'] };

export const VARIANTS: Record<string, Omit<EngineOptions, 'threads'>> = {
  /** Frozen weights as initializers, CPU contrib kernels: the engine's default CPU build. */
  initializers: { peft: { kind: 'none' }, fused: true },
  /** Every weight a graph input (full-parameter ZO). */
  full: { peft: { kind: 'full' }, fused: true },
  /** initializers + LoRA r8 α16 on q_proj, v_proj as inputs, branch form. */
  lora: { peft: LORA, fused: true },
  /** The same LoRA merged into W per run (graph/blocks/linear.ts). */
  'lora-merged': { peft: LORA, fused: true, loraForm: 'merged' },
  /** initializers, standard ONNX ops only: the probe's reference build (and what WebGPU runs). */
  plain: { peft: { kind: 'none' }, fused: false },
};

/** Issue #2's bar: on the 135M shape, lora within 5% of initializers and no slower than plain. */
export const BARS = [
  { name: 'lora / initializers', over: 'initializers', limit: 1.05 },
  { name: 'lora / plain', over: 'plain', limit: 1.0 },
] as const;
export const BAR_VARIANTS = ['initializers', 'lora', 'plain'];

export const SHAPES = [
  [16, 64],
  [8, 256],
] as const;

export function variantOptions(variant: string): Omit<EngineOptions, 'threads'> {
  const options = VARIANTS[variant];
  if (!options)
    throw new Error(`unknown variant "${variant}"; expected one of ${Object.keys(VARIANTS).join(', ')}`);
  return options;
}
