// export.run over core/export: writes the run's newest checkpoint as a PEFT adapter, merged HF folder
// or merged ONNX model, and lists the files with their sizes for the dialog.
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { ApiError } from '../../api/errors.ts';
import type { Handlers } from '../../api/methods.ts';
import { exportRun } from '../../export/run-export.ts';
import type { RunStore } from '../../store/run-store.ts';
import { resolveUserPath } from './files.ts';

export function exportHandlers(store: RunStore): Pick<Handlers, 'export.run'> {
  return {
    'export.run': async ({ runId, format, outDir }) => {
      if (!store.getRun(runId)) throw new ApiError('not_found', `no run with id ${runId}`);
      let result;
      try {
        result = await exportRun(store, { runId, format, outDir: resolveUserPath(outDir) });
      } catch (error) {
        // exportRun's errors name the problem (non-empty folder, no checkpoint, format vs PEFT mode).
        throw new ApiError('invalid_request', (error as Error).message);
      }
      const files = await Promise.all(
        result.files.map(async (file) => ({
          name: relative(result.outDir, file),
          sizeBytes: (await stat(file)).size,
        })),
      );
      return {
        outDir: result.outDir,
        files,
        totalBytes: result.bytes,
        step: result.step,
        notes: result.notes,
      };
    },
  };
}
