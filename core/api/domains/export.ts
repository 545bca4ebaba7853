// export.*: a run's result as a PEFT adapter, a merged HF folder or a merged ONNX model.
import { z } from 'zod';
import { defineMethod } from '../method.ts';

export const exportFormatSchema = z.enum(['peft', 'merged', 'onnx']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const exportMethods = {
  'export.run': defineMethod(
    z.object({ runId: z.string().min(1), format: exportFormatSchema, outDir: z.string().min(1) }),
    z.object({
      outDir: z.string(),
      files: z.array(z.object({ name: z.string(), sizeBytes: z.number().nonnegative() })),
      totalBytes: z.number().nonnegative(),
      /** The training step whose checkpoint was exported. */
      step: z.number().int().nonnegative(),
      notes: z.array(z.string()),
    }),
    'Write the export and list the files it produced with their sizes.',
  ),
};
