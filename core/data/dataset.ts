// The data pipeline for one split: stream rows from the file, map columns to the task's fields, render
// with its templates, and (with a tokenizer) encode. Bad rows go through the caller's policy: the
// first one fails the load, or each is skipped and counted in the report.
import type { Tokenizer } from '../models/tokenizer.ts';
import { type DatasetInfo, defaultTaskName } from './dataset-info.ts';
import { type EncodedExample, encodeExample } from './encode.ts';
import { packLanguageModeling } from './packing.ts';
import { DataError, IssueCollector, type IssueReport, type RowPolicy } from './errors.ts';
import { readers } from './import/formats.ts';
import type { ImportProgress, SourceRow } from './import/types.ts';
import {
  type ColumnMapping,
  createRowMapper,
  detectMapping,
  missingFieldsError,
  type RowMapper,
} from './mapping.ts';
import { type RenderedExample, createRenderer } from './render.ts';
import type { DatasetSource, SplitName } from './source.ts';
import type { TaskDefinition } from './tasks/definition.ts';
import { listBuiltInTasks, resolveTask } from './tasks/registry.ts';

export interface OpenOptions {
  /** Built-in task name, task file path, or "classification"; detected from dataset.json or columns if absent. */
  task?: string;
  /** Field → column overrides for detection. */
  mapping?: ColumnMapping;
  policy?: RowPolicy;
  /** Gives chat tasks the model's template and special tokens. */
  tokenizer?: Tokenizer;
  onProgress?: (progress: ImportProgress) => void;
}

export interface OpenedSplit {
  /** The split's first file (Hub splits may have several shards). */
  file: string;
  task: TaskDefinition;
  mapping: ColumnMapping;
  /** Columns of the first row. */
  columns: string[];
  issues: IssueCollector;
  /** Streams the split's examples, rendered, in file order; bad rows follow the policy. */
  examples(): AsyncGenerator<RenderedExample>;
  /** The same, each with the source row it came from (for tools that write rows back out). */
  rows(): AsyncGenerator<{ row: SourceRow; example: RenderedExample }>;
}

export async function openSplit(
  source: DatasetSource,
  split: SplitName,
  options: OpenOptions = {},
): Promise<OpenedSplit> {
  const files = source.splits[split];
  const file = files?.[0];
  if (files === undefined || file === undefined) {
    const available = Object.keys(source.splits).join(', ');
    throw new DataError(
      source.label,
      undefined,
      undefined,
      `has no ${split} split (available: ${available})`,
    );
  }
  const issues = new IssueCollector(options.policy ?? 'fail');
  const reader = readers[source.format];
  const readerOptions = { issues, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
  async function* read(): AsyncGenerator<SourceRow & { file: string }> {
    for (const part of files ?? []) {
      for await (const row of reader(part, readerOptions)) yield { ...row, file: part };
    }
  }
  const first = await firstRow(read());
  if (first === undefined) throw new DataError(file, undefined, undefined, 'contains no rows');
  const columns = Object.keys(first.row);
  const task = await chooseTask(options.task, source.info, columns, file);
  const detected = detectMapping(task, columns, options.mapping);
  if (detected.missing.length > 0) throw missingFieldsError(file, task, detected, columns);
  const datasetLabels =
    source.info?.labels && task.type === 'classification' ? { datasetLabels: source.info.labels } : {};
  const mappers = new Map(
    files.map((part) => [
      part,
      createRowMapper({ file: part, task, mapping: detected.mapping, ...datasetLabels }),
    ]),
  );
  const tokenizer = options.tokenizer;
  const render = createRenderer(task, {
    file,
    ...(tokenizer?.chatTemplate ? { chatTemplate: tokenizer.chatTemplate } : {}),
    ...(tokenizer ? { specialTokens: specialTokenStrings(tokenizer) } : {}),
  });
  async function* rows(): AsyncGenerator<{ row: SourceRow; example: RenderedExample }> {
    for await (const row of read()) {
      let example: RenderedExample;
      try {
        example = render((mappers.get(row.file) as RowMapper)(row));
      } catch (error) {
        issues.handle(error);
        continue;
      }
      yield { row, example };
    }
  }
  return {
    file,
    task,
    mapping: detected.mapping,
    columns,
    issues,
    rows,
    async *examples() {
      for await (const { example } of rows()) yield example;
    },
  };
}

async function firstRow(rows: AsyncGenerator<SourceRow>): Promise<SourceRow | undefined> {
  const { value, done } = await rows.next();
  await rows.return(undefined);
  return done ? undefined : value;
}

function specialTokenStrings(tokenizer: Tokenizer): { bos_token?: string; eos_token?: string } {
  const bos = tokenizer.bosId === undefined ? undefined : tokenizer.idToToken(tokenizer.bosId);
  const eos = tokenizer.eosId === undefined ? undefined : tokenizer.idToToken(tokenizer.eosId);
  return { ...(bos ? { bos_token: bos } : {}), ...(eos ? { eos_token: eos } : {}) };
}

async function chooseTask(
  requested: string | undefined,
  info: DatasetInfo | undefined,
  columns: readonly string[],
  file: string,
): Promise<TaskDefinition> {
  const labels = info?.labels ? { labels: info.labels } : {};
  if (requested !== undefined) return resolveTask(requested, labels);
  const builtIns = (await listBuiltInTasks()).map((task) => task.name);
  const name = defaultTaskName(info, builtIns) ?? guessTaskFromColumns(columns);
  if (name === undefined) {
    throw new DataError(
      file,
      undefined,
      undefined,
      `cannot tell the task from the columns (${columns.join(', ')}); name one (e.g. --task sst2, or a task .json file)`,
    );
  }
  return resolveTask(name, labels);
}

/** A guess from column names alone, for bare files; classification needs label names, so it is not guessed. */
function guessTaskFromColumns(columns: readonly string[]): string | undefined {
  const has = (...names: string[]) => names.every((name) => columns.includes(name));
  if (has('messages') || has('conversations') || has('instruction', 'output')) return 'chat';
  if (has('choices')) return 'multiple_choice';
  if (has('question', 'answers') || has('context', 'answers')) return 'qa';
  if (has('text') && !columns.includes('label')) return 'lm';
  return undefined;
}

export interface LoadReport extends IssueReport {
  /** Examples produced (after skips). */
  examples: number;
  /** Examples whose longest sequence had to be cut to maxLength. */
  truncated: number;
}

export interface LoadOptions {
  tokenizer: Tokenizer;
  maxLength: number;
  /** Stop after this many rows. */
  limit?: number;
  /**
   * Language modelling only: join rows into full maxLength windows (packing.ts) instead of one
   * truncated row per sequence. `encoded` then holds windows, `rendered` still one entry per row.
   */
  pack?: boolean;
}

/** Reads, renders and encodes a split into memory (for the example counts training and eval use). */
export async function loadEncoded(
  split: OpenedSplit,
  options: LoadOptions,
): Promise<{ rendered: RenderedExample[]; encoded: EncodedExample[]; report: LoadReport }> {
  if (options.pack && split.task.type !== 'language_modeling') {
    throw new Error(`packing applies to language modelling; task "${split.task.name}" is ${split.task.type}`);
  }
  // Packed rows are never truncated: their tokens flow on into the next window.
  const maxLength = options.pack ? Number.MAX_SAFE_INTEGER : options.maxLength;
  const rendered: RenderedExample[] = [];
  let encoded: EncodedExample[] = [];
  let truncated = 0;
  for await (const example of split.examples()) {
    const result = encodeExample(options.tokenizer, example, { maxLength });
    if (result.isTruncated) truncated++;
    rendered.push(example);
    encoded.push(result);
    if (options.limit !== undefined && encoded.length >= options.limit) break;
  }
  if (options.pack) encoded = packLanguageModeling(encoded, options.maxLength, options.tokenizer.eosId);
  return { rendered, encoded, report: { ...split.issues.report, examples: encoded.length, truncated } };
}
