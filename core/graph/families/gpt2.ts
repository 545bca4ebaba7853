// GPT-2: pre-LN LayerNorm, learned positions, fused c_attn (split into q | k | v), gelu_new, Conv1D
// weights stored [in, out] (see peft/linear-dims.ts), head tied to wte.
import type { FamilyTraits } from './traits.ts';

export const gpt2: FamilyTraits = { norm: 'layer', positions: 'learned', mlp: 'gelu_new' };
