// datasets.*: wizard step 1 — open a file or Hub id, detect the schema, map columns, preview prompts.
import { z } from 'zod';
import { defineMethod } from '../method.ts';

export const datasetSourceSchema = z.object({
  /** A local file/folder path, or a Hub dataset id written as `hf:owner/name`. */
  source: z.string().min(1),
  subset: z.string().optional(),
  split: z.string().optional(),
});

export const datasetPreviewSchema = z.object({
  source: z.string(),
  rows: z.number().int().nonnegative(),
  columns: z.array(z.string()),
  task: z.string(),
  /** Role → column name chosen by detection or by the user (text, label, premise, ...). */
  mapping: z.record(z.string(), z.string()),
  examples: z.array(
    z.object({ prompt: z.string(), target: z.string(), tokens: z.number().int().nonnegative() }),
  ),
  warnings: z.array(z.string()),
});
export type DatasetPreview = z.infer<typeof datasetPreviewSchema>;

export const datasetsMethods = {
  'datasets.preview': defineMethod(
    datasetSourceSchema.extend({
      task: z.string().optional(),
      mapping: z.record(z.string(), z.string()).optional(),
      rows: z.number().int().min(1).max(50).default(5),
      /** Model whose tokenizer counts the tokens; without it the count is 0. */
      modelDir: z.string().optional(),
    }),
    datasetPreviewSchema,
    'Read the first rows, detect schema and task, render prompts and targets.',
  ),
  'datasets.tasks': defineMethod(
    z.object({}),
    z.object({ tasks: z.array(z.object({ id: z.string(), label: z.string(), kind: z.string() })) }),
    'Task definitions the data layer knows (classification, multiple choice, QA, LM, chat, and named suites).',
  ),
  'datasets.download': defineMethod(
    datasetSourceSchema,
    z.object({ downloadId: z.string() }),
    'Start downloading a Hub dataset; progress arrives as download.progress events.',
  ),
};
