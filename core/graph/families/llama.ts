// Llama family (Llama 2/3, Mistral, Qwen2, SmolLM, TinyLlama): RMSNorm, RoPE (rotate_half, rope_theta),
// GQA, SwiGLU. Qwen2's q/k/v biases and tied/untied heads come from the weight layout.
import type { FamilyTraits } from './traits.ts';

export const llama: FamilyTraits = { norm: 'rms', positions: 'rotary', mlp: 'swiglu' };
