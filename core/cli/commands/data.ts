// zo-studio data: see how a dataset is read, mapped to a task and rendered, before training on it.
import type { RowPolicy } from '../../data/errors.ts';
import type { ColumnMapping } from '../../data/mapping.ts';
import { openSplit } from '../../data/dataset.ts';
import { previewDataset } from '../../data/preview.ts';
import { writeKShotFolder } from '../../data/sample-split.ts';
import { resolveSource } from '../../data/resolve-source.ts';
import type { SplitName } from '../../data/source.ts';
import { listBuiltInTasks } from '../../data/tasks/registry.ts';
import { loadTokenizer } from '../../models/tokenizer.ts';
import { commandFailed, parseCommandArgs, UsageError } from '../command-args.ts';

const usage = `usage: zo-studio data <subcommand> [options]

  preview PATH|hf:ID   render the first rows as the model will see them
  kshot PATH|hf:ID     write a few-shot folder: k rows per class for train, the next k for validation
  tasks                list the built-in tasks

preview options:
  --task NAME          built-in task, task .json file, or "classification" (default: detected)
  --split NAME         train | validation | test (default: validation, else test, else train)
  --rows N             examples to show (default 5)
  --model DIR          count tokens with this model's tokenizer (and use its chat template)
  --max-length N       tokens per sequence, for the truncation warning (default 2048)
  --map FIELD=COLUMN   use COLUMN for the task field FIELD (repeatable), e.g. --map premise=sentence1
  --skip-bad-rows      skip and count malformed rows instead of stopping at the first
  --json               print {"rows","columns","task","mapping","examples":[{"prompt","target","tokens"}],"warnings"}

kshot options (LM-BFF's k-shot sampling; the folder then works as --data / a run's train path):
  --k N                rows per class and split (required)
  --seed N             sampling seed (default 13, LM-BFF's first)
  --out DIR            folder to write train.jsonl, validation.jsonl, dataset.json (required)
  --task, --split, --map, --skip-bad-rows   as for preview (default split: train)
`;

const splits: readonly SplitName[] = ['train', 'validation', 'test'];

function parseMapping(entries: readonly string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const entry of entries) {
    const [field, column] = entry.split('=', 2);
    if (!field || !column) throw new Error(`--map "${entry}": expected FIELD=COLUMN`);
    mapping[field] = column;
  }
  return mapping;
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return number;
}

async function preview(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('data preview', usage, argv, {
    task: { type: 'string' },
    split: { type: 'string' },
    rows: { type: 'string' },
    model: { type: 'string' },
    'max-length': { type: 'string' },
    map: { type: 'string', multiple: true },
    'skip-bad-rows': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [location, ...extra] = positionals;
  if (!location || extra.length > 0) throw new UsageError('expected exactly one PATH or hf:ID');
  if (values.split !== undefined && !splits.includes(values.split as SplitName)) {
    throw new UsageError(`--split must be one of ${splits.join(', ')}, got "${values.split}"`);
  }
  const policy: RowPolicy = values['skip-bad-rows'] ? 'skip' : 'fail';
  const tokenizer = values.model ? await loadTokenizer(values.model) : undefined;
  const source = await resolveSource(location, {
    onProgress: ({ file, loadedBytes, totalBytes }) =>
      process.stderr.write(
        `\rdownloading ${file}: ${loadedBytes}${totalBytes ? ` / ${totalBytes}` : ''} bytes`,
      ),
  });
  const result = await previewDataset(source, {
    policy,
    rows: positiveInt(values.rows, '--rows', 5),
    maxLength: positiveInt(values['max-length'], '--max-length', 2048),
    ...(values.task ? { task: values.task } : {}),
    ...(values.split ? { split: values.split as SplitName } : {}),
    ...(values.map ? { mapping: parseMapping(values.map) } : {}),
    ...(tokenizer ? { tokenizer } : {}),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const lines = [
    `${result.source}: ${result.rows} rows, columns ${result.columns.join(', ')}`,
    `task ${result.task}, mapping ${Object.entries(result.mapping)
      .map(([field, column]) => `${field}←${column}`)
      .join(', ')}`,
    ...result.examples.flatMap((example, index) => [
      `\n--- example ${index + 1} (${example.tokens} tokens)`,
      example.prompt,
      `>>> target: ${JSON.stringify(example.target)}`,
    ]),
    ...result.warnings.map((warning) => `warning: ${warning}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function kshot(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('data kshot', usage, argv, {
    task: { type: 'string' },
    split: { type: 'string', default: 'train' },
    k: { type: 'string' },
    seed: { type: 'string', default: '13' },
    out: { type: 'string' },
    map: { type: 'string', multiple: true },
    'skip-bad-rows': { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [location, ...extra] = positionals;
  if (!location || extra.length > 0) throw new UsageError('expected exactly one PATH or hf:ID');
  if (!values.out) throw new UsageError('--out DIR is required');
  if (values.k === undefined) throw new UsageError('--k N is required');
  if (!splits.includes(values.split as SplitName)) {
    throw new UsageError(`--split must be one of ${splits.join(', ')}, got "${values.split}"`);
  }
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, got "${values.seed}"`);
  const source = await resolveSource(location);
  const split = await openSplit(source, values.split as SplitName, {
    policy: values['skip-bad-rows'] ? 'skip' : 'fail',
    ...(values.task ? { task: values.task } : {}),
    ...(values.map ? { mapping: parseMapping(values.map) } : {}),
  });
  const result = await writeKShotFolder(source, split, {
    k: positiveInt(values.k, '--k', 16),
    seed,
    outDir: values.out,
  });
  process.stdout.write(
    `${split.task.name}: ${result.train} train and ${result.validation} validation rows (k=${values.k}, seed ${seed}) in ${values.out}\n`,
  );
  if (result.shortClasses.length > 0) {
    process.stderr.write(
      `warning: classes ${result.shortClasses.join(', ')} have fewer than 2k rows in ${split.file}\n`,
    );
  }
  if (split.issues.report.skipped > 0)
    process.stderr.write(`warning: ${split.issues.report.skipped} bad rows skipped\n`);
  return 0;
}

async function tasks(): Promise<number> {
  for (const task of await listBuiltInTasks()) {
    process.stdout.write(
      `${task.name.padEnd(16)} ${task.type.padEnd(18)} ${task.metrics.join(', ').padEnd(18)} ${task.title}\n`,
    );
  }
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  try {
    if (subcommand === 'preview') return await preview(rest);
    if (subcommand === 'kshot') return await kshot(rest);
    if (subcommand === 'tasks') return await tasks();
    if (!subcommand || subcommand === '--help' || subcommand === '-h') {
      process.stdout.write(usage);
      return subcommand ? 0 : 2;
    }
    throw new UsageError(`unknown subcommand "${subcommand}"`);
  } catch (error) {
    return commandFailed('data', usage, error);
  }
}
