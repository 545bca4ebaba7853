// datasets.* over core/data: the built-in task list and the wizard's live preview (detected schema,
// column mapping, rendered prompts and token counts). Hub ids download into <dataDir>/hub first.
import { join } from 'node:path';
import { ApiError } from '../../api/errors.ts';
import type { Handlers } from '../../api/methods.ts';
import { DataError } from '../../data/errors.ts';
import { previewDataset } from '../../data/preview.ts';
import { resolveSource } from '../../data/resolve-source.ts';
import { splitAliases, type SplitName } from '../../data/source.ts';
import { listBuiltInTasks } from '../../data/tasks/registry.ts';
import { loadTokenizer } from '../../models/tokenizer.ts';
import type { StudioContext } from '../context.ts';
import { resolveUserPath } from './files.ts';

function splitName(split: string | undefined): SplitName | undefined {
  if (split === undefined) return undefined;
  const found = (Object.keys(splitAliases) as SplitName[]).find((name) => splitAliases[name].includes(split));
  if (!found)
    throw new ApiError('invalid_request', `split: "${split}" is not one of train, validation, test`);
  return found;
}

export function datasetHandlers(
  context: StudioContext,
): Pick<Handlers, 'datasets.tasks' | 'datasets.preview'> {
  return {
    'datasets.tasks': async () => {
      const tasks = await listBuiltInTasks();
      return {
        tasks: [
          {
            id: 'classification',
            label: 'Classification (labels from dataset.json)',
            kind: 'classification',
          },
          ...tasks.map((task) => ({ id: task.name, label: `${task.name}: ${task.title}`, kind: task.type })),
        ],
      };
    },
    'datasets.preview': async ({ source, split, task, mapping, rows, modelDir }) => {
      const location = source.startsWith('hf:') ? source : resolveUserPath(source);
      try {
        const tokenizer = modelDir
          ? await loadTokenizer(resolveUserPath(modelDir)).catch(() => undefined)
          : undefined;
        const resolved = await resolveSource(location, { cacheDir: join(context.dataDir, 'hub') });
        const chosenSplit = splitName(split) ?? (resolved.splits.train ? 'train' : undefined);
        return await previewDataset(resolved, {
          rows,
          policy: 'skip',
          ...(chosenSplit ? { split: chosenSplit } : {}),
          ...(task ? { task } : {}),
          ...(mapping ? { mapping } : {}),
          ...(tokenizer ? { tokenizer } : {}),
        });
      } catch (error) {
        if (error instanceof ApiError) throw error;
        if (error instanceof DataError) throw new ApiError('invalid_request', error.message);
        // Task resolution and mapping problems are plain Errors with the user's fix in the message.
        throw new ApiError('invalid_request', (error as Error).message);
      }
    },
  };
}
