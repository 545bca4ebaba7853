// OPT: pre-LN LayerNorm, learned positions offset by 2 (config.positionOffset), ReLU MLP, biases
// everywhere, head tied to the embedding.
import type { FamilyTraits } from './traits.ts';

export const opt: FamilyTraits = { norm: 'layer', positions: 'learned', mlp: 'relu' };
