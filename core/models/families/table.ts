// The supported families, looked up by config.json's model_type.
import type { FamilySpec } from './family.ts';
import { gpt2 } from './gpt2.ts';
import { llama } from './llama.ts';
import { opt } from './opt.ts';

const FAMILIES: readonly FamilySpec[] = [llama, gpt2, opt];

export const SUPPORTED_MODEL_TYPES: readonly string[] = FAMILIES.flatMap((spec) => spec.modelTypes);

export function familyForModelType(modelType: string): FamilySpec | undefined {
  return FAMILIES.find((spec) => spec.modelTypes.includes(modelType));
}
