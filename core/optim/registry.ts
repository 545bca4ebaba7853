// The one table of update rules, listed by `zo-studio estimators --rules` and read by the training loop.
import {
  describeSettings,
  parseSettings,
  type SettingInfo,
  type SettingValue,
} from '../estimators/settings.ts';
import type { UpdateRuleDefinition } from './definition.ts';
import { zoAdam } from './rules/zo-adam.ts';
import { zoSgdCons } from './rules/zo-sgd-cons.ts';
import { zoSgdMomentum } from './rules/zo-sgd-momentum.ts';
import { zoSgd } from './rules/zo-sgd.ts';
import { zoSignElementwise, zoSignScalar } from './rules/zo-sign.ts';
import type { UpdateRule } from './types.ts';

export const UPDATE_RULES = [zoSgd, zoSgdMomentum, zoAdam, zoSignScalar, zoSignElementwise, zoSgdCons].map(
  (definition) => definition as unknown as UpdateRuleDefinition,
);

export interface UpdateRuleInfo {
  id: string;
  name: string;
  paper: string;
  help: string;
  state_floats_per_param: number;
  /** Forward passes the rule adds to each step (a step policy's evaluations; 0 for pure rules). */
  extra_forward_passes_per_step: number;
  defaults: Record<string, SettingValue>;
  fields: SettingInfo[];
}

export function listUpdateRules(): UpdateRuleInfo[] {
  return UPDATE_RULES.map((rule) => {
    const defaults = rule.schema.parse({});
    return {
      id: rule.id,
      name: rule.name,
      paper: rule.paper,
      help: rule.help,
      state_floats_per_param: rule.stateFloatsPerParam,
      extra_forward_passes_per_step: rule.create(defaults).policy?.forwardPassesPerStep ?? 0,
      defaults: defaults as Record<string, SettingValue>,
      fields: describeSettings(rule.schema),
    };
  });
}

export function createUpdateRule(id: string, settings: unknown = {}): UpdateRule<unknown> {
  const rule = UPDATE_RULES.find((r) => r.id === id);
  if (!rule)
    throw new Error(
      `unknown update rule "${id}"; expected one of: ${UPDATE_RULES.map((r) => r.id).join(', ')}`,
    );
  return rule.create(parseSettings('update rule', id, rule.schema, settings));
}
