// models.inspect over core/models' loadModel: the Model step's architecture, size and parameters.
import { stat } from 'node:fs/promises';
import { ApiError } from '../../api/errors.ts';
import type { Handlers } from '../../api/methods.ts';
import { ModelLoadError } from '../../models/errors.ts';
import { loadModel } from '../../models/load.ts';
import { summarizeModel } from '../../models/summary.ts';
import { resolveUserPath } from './files.ts';

export function modelsHandlers(): Pick<Handlers, 'models.inspect'> {
  return {
    'models.inspect': async ({ dir }) => {
      const path = resolveUserPath(dir);
      let model;
      try {
        model = await loadModel(path);
      } catch (error) {
        if (error instanceof ModelLoadError) throw new ApiError('invalid_request', error.message);
        throw error;
      }
      const files = new Set([...model.weights.tensors.values()].map((tensor) => tensor.file));
      let sizeBytes = 0;
      for (const file of files) sizeBytes += (await stat(file)).size;
      // The same summary `zo-studio model inspect` prints; the response schema keeps the fields it lists.
      return { dir: path, ...summarizeModel(model), sizeBytes };
    },
  };
}
