// estimators.list and estimators.updateRules over the registry tables of core/estimators and core/optim
// (help texts, defaults, paper presets, forward-pass costs).
import type { Handlers } from '../../api/methods.ts';
import { listEstimators } from '../../estimators/registry.ts';
import { listUpdateRules } from '../../optim/registry.ts';

export function estimatorHandlers(): Pick<Handlers, 'estimators.list' | 'estimators.updateRules'> {
  return {
    'estimators.list': async () => ({
      estimators: listEstimators().map((info) => ({
        id: info.id,
        name: info.name,
        summary: info.help,
        paper: info.paper,
        forwardPassesPerStep: info.forward_passes_per_step,
        fields: info.fields,
        presets: info.presets,
        suggested: info.suggested,
      })),
    }),
    'estimators.updateRules': async () => ({
      updateRules: listUpdateRules().map((info) => ({
        id: info.id,
        name: info.name,
        summary: info.help,
        paper: info.paper,
        extraForwardPassesPerStep: info.extra_forward_passes_per_step,
        stateFloatsPerParam: info.state_floats_per_param,
        fields: info.fields,
      })),
    }),
  };
}
