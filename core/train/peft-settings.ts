// A run config's PEFT section in core/peft's terms: what the engine builds and what export re-plans.
import type { PeftConfig as RunPeftConfig, RunConfig } from './config.ts';
import type { PeftConfig } from '../peft/plan.ts';

/** The run config's PEFT settings in core/peft's terms; LoRA's random init follows the run seed. */
export function peftPlanConfig(config: RunConfig): PeftConfig {
  return planConfigOf(config.peft, config.seed);
}

/** A PEFT section in core/peft's terms; `seed` seeds LoRA's random A (B starts at zero). */
export function planConfigOf(peft: RunPeftConfig, seed: number): PeftConfig {
  switch (peft.mode) {
    case 'lora':
      return {
        kind: 'lora',
        rank: peft.rank,
        alpha: peft.alpha,
        ...(peft.targets ? { targets: peft.targets } : {}),
        seed,
      };
    case 'prefix':
      return { kind: 'prefix', tokens: peft.tokens };
    case 'full':
      return { kind: 'full' };
  }
}
