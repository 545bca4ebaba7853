// Column mapping: which dataset column feeds each field a task reads, and the normalization of each
// value into the shape templates expect (strings; `label` an index; `choices`/`answers` string lists;
// `messages` a conversation). Detection tries the task's candidate columns in order; the user's mapping
// overrides it. A column spec "a,b" gathers several columns into one list (COPA's choice1, choice2).
import { DataError } from './errors.ts';
import type { DataRow, SourceRow } from './import/types.ts';
import type { TaskDefinition } from './tasks/definition.ts';

export interface ChatMessage {
  role: string;
  content: string;
}

export type FieldValue = string | string[] | ChatMessage[] | undefined;

export interface MappedRow {
  line: number;
  /** Template variables: field → normalized value (optional fields absent from the row are undefined). */
  values: Record<string, FieldValue>;
  /** Gold label (classification) or gold choice (multiple choice); undefined for other task types. */
  label?: number;
}

/** Field → column spec. */
export type ColumnMapping = Record<string, string>;

export interface MappingResult {
  mapping: ColumnMapping;
  /** Required fields no column was found for. */
  missing: string[];
}

const columnsOf = (spec: string): string[] => spec.split(',').map((column) => column.trim());

export function detectMapping(
  task: TaskDefinition,
  columns: readonly string[],
  overrides: ColumnMapping = {},
): MappingResult {
  const present = new Set(columns);
  const mapping: ColumnMapping = {};
  const missing: string[] = [];
  for (const [field, candidates] of Object.entries(task.fields)) {
    const chosen =
      overrides[field] ?? candidates.find((spec) => columnsOf(spec).every((column) => present.has(column)));
    if (chosen !== undefined) mapping[field] = chosen;
    else if (!task.optionalFields.includes(field)) missing.push(field);
  }
  return { mapping, missing };
}

export function missingFieldsError(
  file: string,
  task: TaskDefinition,
  result: MappingResult,
  columns: readonly string[],
): DataError {
  const wanted = result.missing
    .map((field) => `"${field}" (one of: ${task.fields[field]?.join(' | ')})`)
    .join(', ');
  return new DataError(
    file,
    undefined,
    undefined,
    `task "${task.name}" needs ${wanted}, but the columns are: ${columns.join(', ')}; map them explicitly (field=column)`,
  );
}

export interface RowMapperOptions {
  file: string;
  task: TaskDefinition;
  mapping: ColumnMapping;
  /** The dataset's own label names (dataset.json), so an index label can be matched by name. */
  datasetLabels?: readonly string[];
}

export type RowMapper = (source: SourceRow) => MappedRow;

/** Builds the per-row mapper; it throws a DataError naming file, line and column for a bad value. */
export function createRowMapper(options: RowMapperOptions): RowMapper {
  const { file, task, mapping } = options;
  return ({ row, line }) => {
    const fail = (column: string, detail: string): never => {
      throw new DataError(file, line, column, detail);
    };
    const values: Record<string, FieldValue> = {};
    for (const field of Object.keys(task.fields)) {
      if (field === 'label') continue;
      const spec = mapping[field];
      if (spec === undefined) continue;
      values[field] = normalizeField(field, read(row, spec, fail), (detail) => fail(spec, detail));
    }
    const mapped: MappedRow = { line, values };
    const labelSpec = mapping.label;
    if (task.type === 'classification') {
      if (labelSpec === undefined) return fail('label', 'no label column');
      mapped.label = labelIndex(read(row, labelSpec, fail), task.labels, options.datasetLabels, (d) =>
        fail(labelSpec, d),
      );
    } else if (task.type === 'multiple_choice') {
      const choices = values.choices as string[];
      if (labelSpec !== undefined && row[labelSpec] !== undefined) {
        const names = choices.map((_, index) => String(index));
        mapped.label = labelIndex(read(row, labelSpec, fail), names, undefined, (d) => fail(labelSpec, d));
      } else {
        mapped.label = goldFromAnswers(choices, values.answers, (d) => fail(mapping.answers ?? 'answers', d));
      }
    }
    return mapped;
  };
}

function read(row: DataRow, spec: string, fail: (column: string, detail: string) => never): unknown {
  const columns = columnsOf(spec);
  for (const column of columns) if (!(column in row)) fail(column, 'column is missing in this row');
  return columns.length === 1 ? row[columns[0] as string] : columns.map((column) => row[column]);
}

function normalizeField(field: string, value: unknown, fail: (detail: string) => never): FieldValue {
  switch (field) {
    case 'choices':
      return stringList(value, fail, 2);
    case 'answers':
      return answerList(value, fail);
    case 'messages':
      return conversation(value, fail);
    default:
      return scalarText(value, fail);
  }
}

function scalarText(value: unknown, fail: (detail: string) => never): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value === null || value === undefined) return fail('is empty (null)');
  return fail(`expected text, got ${Array.isArray(value) ? 'a list' : 'an object'}`);
}

function stringList(value: unknown, fail: (detail: string) => never, minimum: number): string[] {
  if (!Array.isArray(value)) return fail(`expected a list of strings, got ${typeof value}`);
  const strings = value.map((item, index) =>
    typeof item === 'string' ? item : fail(`item ${index} is ${JSON.stringify(item)}, expected a string`),
  );
  if (strings.length < minimum) fail(`expected at least ${minimum} items, got ${strings.length}`);
  return strings;
}

/** SQuAD's {text: [...]}, DROP's {spans: [...]}, a list, or a single string: all become a list. */
function answerList(value: unknown, fail: (detail: string) => never): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const inner = record.text ?? record.spans;
    if (inner === undefined) return fail('expected {"text": [...]} (SQuAD) or {"spans": [...]} (DROP)');
    return answerList(inner, fail);
  }
  return stringList(value, fail, 1);
}

const roleAliases: Readonly<Record<string, string>> = {
  human: 'user',
  gpt: 'assistant',
  bot: 'assistant',
  model: 'assistant',
};

/**
 * OpenAI-style [{role, content}], ShareGPT-style [{from, value}], or Alpaca columns gathered by the
 * spec "instruction,input,output" (input may be empty): all become [{role, content}].
 */
function conversation(value: unknown, fail: (detail: string) => never): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) return fail('expected a non-empty list of messages');
  if (value.length === 3 && value.every((item) => typeof item === 'string' || item === null)) {
    const [instruction, input, output] = value as (string | null)[];
    const prompt = input ? `${instruction}\n\n${input}` : (instruction ?? '');
    return [
      { role: 'user', content: prompt },
      { role: 'assistant', content: output ?? '' },
    ];
  }
  const messages = value.map((item, index): ChatMessage => {
    const message = (item ?? {}) as Record<string, unknown>;
    const role = message.role ?? message.from;
    const content = message.content ?? message.value;
    if (typeof role !== 'string' || typeof content !== 'string') {
      return fail(`message ${index} needs string "role" and "content" (or "from" and "value")`);
    }
    return { role: roleAliases[role] ?? role, content };
  });
  if (!messages.some((message) => message.role === 'assistant'))
    fail('has no assistant message to learn from');
  return messages;
}

/**
 * A label is an index, a numeric string (CSV), a label name, or a boolean (BoolQ's `answer`). An index
 * into the dataset's own label list is matched to the task's labels by name.
 */
function labelIndex(
  value: unknown,
  labels: readonly string[],
  datasetLabels: readonly string[] | undefined,
  fail: (detail: string) => never,
): number {
  const expected = () => `expected one of: ${labels.join(', ')} (or an index 0-${labels.length - 1})`;
  if (typeof value === 'boolean' && labels.length === 2) return value ? 1 : 0;
  if (typeof value === 'string' && labels.includes(value)) return labels.indexOf(value);
  const index =
    typeof value === 'number' || typeof value === 'bigint'
      ? Number(value)
      : typeof value === 'string' && /^\d+$/.test(value.trim())
        ? Number(value)
        : undefined;
  if (index === undefined || !Number.isInteger(index))
    return fail(`is ${JSON.stringify(value)}; ${expected()}`);
  if (datasetLabels !== undefined) {
    const name = datasetLabels[index];
    const byName = name === undefined ? -1 : labels.indexOf(name);
    if (byName < 0) return fail(`is ${index} (${name ?? 'not a dataset label'}); ${expected()}`);
    return byName;
  }
  if (index < 0 || index >= labels.length) return fail(`is ${index}; ${expected()}`);
  return index;
}

function goldFromAnswers(
  choices: readonly string[],
  answers: FieldValue,
  fail: (detail: string) => never,
): number {
  const first = Array.isArray(answers)
    ? answers.find((answer): answer is string => typeof answer === 'string')
    : undefined;
  const index = first === undefined ? -1 : choices.indexOf(first);
  if (index < 0) return fail(`no label, and no answer among the choices (${choices.join(', ')})`);
  return index;
}
