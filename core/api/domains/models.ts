// models.*: wizard step 2 — a local folder or Hub id, its architecture, size and memory estimate.
import { z } from 'zod';
import { defineMethod } from '../method.ts';

export const modelInfoSchema = z.object({
  dir: z.string(),
  family: z.string(),
  modelType: z.string(),
  parameters: z.number().int().nonnegative(),
  layers: z.number().int().nonnegative(),
  hidden: z.number().int().nonnegative(),
  heads: z.number().int().nonnegative(),
  vocab: z.number().int().nonnegative(),
  dtype: z.string(),
  /** Bytes of the weight files on disk. */
  sizeBytes: z.number().nonnegative(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const modelsMethods = {
  'models.inspect': defineMethod(
    z.object({ dir: z.string().min(1) }),
    modelInfoSchema,
    'Read a Hugging Face model folder (config.json, *.safetensors, tokenizer.json).',
  ),
  'models.download': defineMethod(
    z.object({
      id: z.string().regex(/^[\w-][\w.-]*\/[\w-][\w.-]*$/, 'expected a Hub id like owner/name'),
      revision: z.string().optional(),
    }),
    z.object({ downloadId: z.string() }),
    'Start (or resume) downloading a Hub model; progress arrives as download.progress events.',
  ),
};
