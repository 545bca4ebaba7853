// `zo-studio train`: train a run from a config file, from flags, or both (flags override the file).
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { parseArgs } from 'node:util';
import { runFromCli } from '../../train/cli-run.ts';
import { withAdapterPeft } from '../../train/init-adapter.ts';
import { parseCommandArgs } from '../command-args.ts';

const USAGE = `usage: zo-studio train --config run.json [flags] [--json] [--db PATH]
       zo-studio train --model DIR --train FILE [--validation FILE] --task lm|classification|NAME
                       --steps N | --forward-passes N [flags] [--json] [--db PATH]

flags (each overrides the config file):
  --model DIR            Hugging Face model folder
  --train FILE           training rows (jsonl, json, csv, tsv, parquet, txt)
  --validation FILE      validation rows (default: rows held out of --train)
  --task NAME            lm, classification, or a built-in task (sst2, rte, ...)
  --peft MODE            lora | prefix | full (default lora)
  --init-adapter DIR     start from this PEFT adapter's tensors (its settings fill what --peft/run.json leave out)
  --estimator ID         gradient estimator (see \`zo-studio estimators\`; default mezo)
  --optimizer ID         update rule (default zo-sgd)
  --steps N              budget in steps
  --forward-passes N     budget in forward passes
  --batch N              examples per step (default 16)
  --lr X                 learning rate (default: the estimator's suggestion for the PEFT mode)
  --eps X                perturbation scale, estimator setting "eps" (default: as --lr)
  --schedule KIND        constant | linear | cosine (default constant)
  --warmup N             warm-up steps
  --seed N               run seed (default 0)
  --ep EP                cpu | webgpu | cuda | auto (default cpu)
  --objective OBJ        loss | accuracy (default loss)
  --eval-every N         evaluate every N steps (default 50)
  --eval-rows N          validation rows per evaluation (default 100)
  --checkpoint-every N   checkpoint every N steps (default 100)
  --max-length N         tokens per sequence (default 128)
  --name TEXT            run name
  --json                 one JSON event per line; the last line is the summary
  --db PATH              run history database (default: $ZO_STUDIO_DB or the user data folder)
`;

const OPTIONS = {
  config: { type: 'string' },
  model: { type: 'string' },
  train: { type: 'string' },
  validation: { type: 'string' },
  task: { type: 'string' },
  peft: { type: 'string' },
  'init-adapter': { type: 'string' },
  estimator: { type: 'string' },
  optimizer: { type: 'string' },
  steps: { type: 'string' },
  'forward-passes': { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  eps: { type: 'string' },
  schedule: { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  ep: { type: 'string' },
  objective: { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-rows': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'max-length': { type: 'string' },
  name: { type: 'string' },
  json: { type: 'boolean', default: false },
  db: { type: 'string' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('train', USAGE, argv, OPTIONS, { allowPositionals: false });
  if (typeof parsed === 'number') return parsed;
  const flags: Flags = parsed.values;
  // Paths are stored with the run, so they are made absolute now: a later `resume` may run elsewhere.
  const base = flags.config
    ? absolutePaths(await readConfigFile(flags.config), dirname(resolve(flags.config)))
    : {};
  const source = flags.config ? `${flags.config} (with command-line flags)` : 'command-line flags';
  const { input, notice } = await withAdapterPeft(
    absolutePaths(applyFlags(base, flags), process.cwd()),
    source,
  );
  return runFromCli({
    ...(flags.db ? { db: flags.db } : {}),
    json: flags.json,
    // The manager validates the config and fills a missing lr/ε from the estimator's suggestion.
    begin: (manager) => manager.start(input, source, notice ? [notice] : []),
  });
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the run config ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new Error(`the run config ${file} is not a JSON object: ${(error as Error).message}`);
  }
}

/** Lays the flags over the config file's object; numbers are checked here so errors name the flag. */
function applyFlags(base: Record<string, unknown>, flags: Flags): Record<string, unknown> {
  const config: Record<string, unknown> = { ...base };
  const section = (key: string): Record<string, unknown> => {
    const value = config[key];
    const copy = typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : {};
    config[key] = copy;
    return copy;
  };
  const num = (flag: keyof Flags): number | undefined => {
    const text = flags[flag];
    if (typeof text !== 'string') return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value))
      throw new Error(`--${flag} must be a number, got "${text}"`);
    return value;
  };
  const set = (target: Record<string, unknown>, key: string, value: unknown): void => {
    if (value !== undefined) target[key] = value;
  };

  set(config, 'name', flags.name);
  set(config, 'model', flags.model);
  set(config, 'initAdapter', flags['init-adapter']);
  if (flags.train || flags.validation || flags.task || flags['max-length']) {
    const data = section('data');
    set(data, 'train', flags.train);
    set(data, 'validation', flags.validation);
    set(data, 'task', flags.task);
    set(data, 'maxLength', num('max-length'));
  }
  if (flags.peft) {
    const peft = section('peft');
    // Switching mode drops the other mode's settings (a LoRA rank means nothing to prefix tuning).
    config.peft = peft.mode === flags.peft ? peft : { mode: flags.peft };
  }
  if (flags.estimator || flags.eps) {
    const estimator = section('estimator');
    set(estimator, 'id', flags.estimator);
    if (flags.eps) estimator.settings = { ...(estimator.settings as object | undefined), eps: num('eps') };
  }
  if (flags.optimizer) set(section('optimizer'), 'id', flags.optimizer);
  if (flags.steps && flags['forward-passes']) throw new Error('give --steps or --forward-passes, not both');
  if (flags.steps) config.budget = { steps: num('steps') };
  if (flags['forward-passes']) config.budget = { forwardPasses: num('forward-passes') };
  set(config, 'batchSize', num('batch'));
  set(config, 'lr', num('lr'));
  if (flags.schedule || flags.warmup) {
    const schedule = section('schedule');
    set(schedule, 'kind', flags.schedule);
    set(schedule, 'warmupSteps', num('warmup'));
  }
  set(config, 'seed', num('seed'));
  set(config, 'ep', flags.ep);
  set(config, 'objective', flags.objective);
  if (flags['eval-every'] || flags['eval-rows']) {
    const evaluation = section('eval');
    set(evaluation, 'everySteps', num('eval-every'));
    set(evaluation, 'rows', num('eval-rows'));
  }
  if (flags['checkpoint-every']) set(section('checkpoint'), 'everySteps', num('checkpoint-every'));
  return config;
}

/** Model, init adapter and data paths resolved against `baseDir` (a config file's folder, or the working directory). */
function absolutePaths(config: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const absolute = (value: unknown): unknown =>
    typeof value === 'string' && value !== '' && !value.startsWith('hf:') && !isAbsolute(value)
      ? resolve(baseDir, value)
      : value;
  const out: Record<string, unknown> = {
    ...config,
    model: absolute(config.model),
    initAdapter: absolute(config.initAdapter),
  };
  if (typeof config.data === 'object' && config.data !== null) {
    const data = config.data as Record<string, unknown>;
    out.data = { ...data, train: absolute(data.train), validation: absolute(data.validation) };
  }
  return out;
}
