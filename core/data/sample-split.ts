// Writes a few-shot dataset folder in the fixture layout (train.jsonl, validation.jsonl, dataset.json)
// from a split, as LM-BFF's generate_k_shot_data.py does: k rows per class for train and the next k
// per class for validation, chosen by a seed. The rows are written as they were read, so the folder
// maps and renders exactly like its source; training then points at the folder.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OpenedSplit } from './dataset.ts';
import type { DataRow } from './import/types.ts';
import { sampleKShot } from './k-shot.ts';
import type { DatasetSource } from './source.ts';
import type { TaskDefinition } from './tasks/definition.ts';

export interface SampleSplitOptions {
  k: number;
  seed: number;
  outDir: string;
}

export interface SampleSplitResult {
  train: number;
  validation: number;
  /** Classes with fewer than 2k rows in the source. */
  shortClasses: number[];
  files: string[];
}

/** JSON cannot hold BigInt (Parquet INT64 columns): safe integers become numbers, others strings. */
function toJsonLine(row: DataRow): string {
  return JSON.stringify(row, (_, value: unknown) =>
    typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : String(value)) : value,
  );
}

/** A dataset.json for a source without one, so the folder still names its task family and labels. */
function infoFor(task: TaskDefinition): Record<string, unknown> {
  const family: Record<TaskDefinition['type'], string> = {
    classification: 'classification',
    multiple_choice: 'multiple_choice',
    generation: 'extractive_qa',
    language_modeling: 'language_modeling',
    chat: 'chat',
  };
  return {
    name: task.name,
    task: family[task.type],
    ...(task.type === 'classification' ? { labels: task.labels } : {}),
  };
}

export async function writeKShotFolder(
  source: DatasetSource,
  split: OpenedSplit,
  options: SampleSplitOptions,
): Promise<SampleSplitResult> {
  const rows: { row: DataRow; gold: number }[] = [];
  for await (const { row, example } of split.rows()) {
    rows.push({ row: row.row, gold: example.kind === 'candidates' ? example.gold : 0 });
  }
  const sample = sampleKShot(rows, { k: options.k, seed: options.seed, classOf: (item) => item.gold });
  await mkdir(options.outDir, { recursive: true });
  const files: string[] = [];
  for (const [name, items] of [
    ['train', sample.train],
    ['validation', sample.validation],
  ] as const) {
    const file = path.join(options.outDir, `${name}.jsonl`);
    await writeFile(file, items.map((item) => `${toJsonLine(item.row)}\n`).join(''));
    files.push(file);
  }
  const info = {
    ...(source.info ?? infoFor(split.task)),
    k_shot: { k: options.k, seed: options.seed, source: source.label, task: split.task.name },
    splits: { train: sample.train.length, validation: sample.validation.length },
  };
  const infoFile = path.join(options.outDir, 'dataset.json');
  await writeFile(infoFile, `${JSON.stringify(info, null, 2)}\n`);
  files.push(infoFile);
  return {
    train: sample.train.length,
    validation: sample.validation.length,
    shortClasses: sample.shortClasses,
    files,
  };
}
