// estimators.list over core/estimators' registry table (help texts, defaults, paper presets).
import type { Handlers } from '../../api/methods.ts';
import { listEstimators } from '../../estimators/registry.ts';

export function estimatorHandlers(): Pick<Handlers, 'estimators.list'> {
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
  };
}
