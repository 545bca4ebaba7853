// The fixture layout's dataset.json (see shared/fixtures/datasets/README.md): the task family and the
// label names a dataset's integer labels index. Optional: a bare file works without it.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const datasetInfoSchema = z
  .object({
    name: z.string().min(1),
    task: z.enum(['classification', 'multiple_choice', 'extractive_qa', 'language_modeling', 'chat']),
    labels: z.array(z.string()).optional(),
  })
  .passthrough();

export type DatasetInfo = z.infer<typeof datasetInfoSchema>;

export async function readDatasetInfo(file: string): Promise<DatasetInfo | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const parsed = datasetInfoSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The task to use when none is named: a built-in with the dataset's name, else its family's generic task. */
export function defaultTaskName(
  info: DatasetInfo | undefined,
  builtIns: readonly string[],
): string | undefined {
  if (!info) return undefined;
  if (builtIns.includes(info.name)) return info.name;
  const generic: Record<DatasetInfo['task'], string> = {
    classification: 'classification',
    multiple_choice: 'multiple_choice',
    extractive_qa: 'qa',
    language_modeling: 'lm',
    chat: 'chat',
  };
  return generic[info.task];
}
