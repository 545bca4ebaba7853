// What distinguishes one decoder family from another, as data: the shared assembly in ../decoder.ts
// reads these and the model's weight layout, so a family file is a few lines.
import type { Family } from '../../models/types.ts';
import type { MlpKind } from '../blocks/mlp.ts';
import { gpt2 } from './gpt2.ts';
import { llama } from './llama.ts';
import { opt } from './opt.ts';

export interface FamilyTraits {
  norm: 'rms' | 'layer';
  /** rotary: RoPE on q/k; learned: a position table added to the token embedding. */
  positions: 'rotary' | 'learned';
  mlp: MlpKind;
}

const TRAITS: Record<Family, FamilyTraits> = { llama, gpt2, opt };

export function familyTraits(family: Family): FamilyTraits {
  return TRAITS[family];
}
