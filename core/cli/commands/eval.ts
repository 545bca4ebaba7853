// zo-studio eval: score a model on a dataset with a task's metric — the zero-shot baseline of a base
// model, or the model with an imported PEFT adapter (--adapter). Runs the same Engine training uses,
// on CPU or WebGPU.
import { loadEncoded, openSplit } from '../../data/dataset.ts';
import type { RowPolicy } from '../../data/errors.ts';
import { defaultSplit } from '../../data/preview.ts';
import { resolveSource } from '../../data/resolve-source.ts';
import type { SplitName } from '../../data/source.ts';
import { evaluate } from '../../eval/evaluate.ts';
import { loadModel } from '../../models/load.ts';
import { loadTokenizer } from '../../models/tokenizer.ts';
import { importPeftAdapter } from '../../peft/adapter-import.ts';
import { parseEpChoice } from '../../runtime/backend.ts';
import { Engine } from '../../runtime/engine.ts';
import { commandFailed, parseCommandArgs, UsageError } from '../command-args.ts';

const usage = `usage: zo-studio eval --model DIR --data PATH|hf:ID [options]

  --model DIR          Hugging Face model folder
  --adapter DIR        evaluate with a PEFT adapter (LoRA or prefix) applied to the model
  --data PATH|hf:ID    dataset file, fixture-layout folder, or Hub dataset
  --task NAME          built-in task, task .json file, or "classification" (default: detected)
  --split NAME         train | validation | test (default: validation, else test, else train)
  --rows N             evaluate only the first N examples
  --ep NAME            cpu | webgpu | cuda | auto (default cpu)
  --batch-size N       examples per forward pass (default 8)
  --max-length N       tokens per sequence (default: the model's context)
  --skip-bad-rows      skip and count malformed rows instead of stopping at the first
  --json               print {"task","metric","value","metrics","loss","examples","forwardPasses",...}
`;

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return number;
}

async function evaluateCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'eval',
    usage,
    argv,
    {
      model: { type: 'string' },
      adapter: { type: 'string' },
      data: { type: 'string' },
      task: { type: 'string' },
      split: { type: 'string' },
      rows: { type: 'string' },
      ep: { type: 'string', default: 'cpu' },
      'batch-size': { type: 'string' },
      'max-length': { type: 'string' },
      'skip-bad-rows': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    { allowPositionals: false },
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!values.model || !values.data) throw new UsageError('--model and --data are required');
  if (values.split !== undefined && !['train', 'validation', 'test'].includes(values.split)) {
    throw new UsageError(`--split must be train, validation or test, got "${values.split}"`);
  }
  const ep = parseEpChoice(values.ep);
  const rows = positiveInt(values.rows, '--rows');
  const started = performance.now();

  const [model, tokenizer] = await Promise.all([loadModel(values.model), loadTokenizer(values.model)]);
  const maxLength = positiveInt(values['max-length'], '--max-length') ?? model.config.maxPositions;
  const policy: RowPolicy = values['skip-bad-rows'] ? 'skip' : 'fail';
  const source = await resolveSource(values.data);
  const splitName = (values.split as SplitName | undefined) ?? defaultSplit(source);
  const split = await openSplit(source, splitName, {
    policy,
    tokenizer,
    ...(values.task ? { task: values.task } : {}),
  });
  const { encoded, report } = await loadEncoded(split, {
    tokenizer,
    maxLength,
    ...(rows ? { limit: rows } : {}),
  });

  const adapter = values.adapter ? importPeftAdapter(values.adapter, model) : undefined;
  // Generation tasks read the next-token logits; the others need only the per-sequence loss.
  const engine = await Engine.create(model, {
    ep,
    peft: adapter?.peft ?? { kind: 'none' },
    outputs: { lastLogits: split.task.type === 'generation' },
  });
  try {
    const result = await evaluate({
      engine,
      params: adapter ? adapter.params.map((param) => param.data) : engine.initialParams(),
      tokenizer,
      task: split.task,
      examples: encoded,
      maxLength,
      ...(values['batch-size'] ? { batchSize: positiveInt(values['batch-size'], '--batch-size') } : {}),
      // A live counter for people at a terminal; pipes and tests get only the result.
      ...(process.stderr.isTTY
        ? {
            onProgress: (done: number, total: number) =>
              process.stderr.write(`\rscored ${done}/${total} examples`),
          }
        : {}),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const elapsedMs = Math.round(performance.now() - started);
    const summary = {
      ...result,
      split: splitName,
      ep: engine.ep,
      truncated: report.truncated,
      skipped: report.skipped,
      elapsedMs,
    };
    delete summary.generations;
    if (values.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      const others = Object.entries(result.metrics)
        .filter(([name]) => name !== result.metric)
        .map(([name, value]) => `, ${name} ${value.toFixed(4)}`)
        .join('');
      process.stdout.write(
        `${result.metric} ${result.value.toFixed(4)}${others} (${result.task}, ${splitName} split, ${result.examples} examples, ` +
          `loss ${result.loss.toFixed(4)}, ${result.forwardPasses} forward pass${result.forwardPasses === 1 ? '' : 'es'} on ${engine.ep}, ${(elapsedMs / 1000).toFixed(1)} s` +
          `${report.truncated ? `, ${report.truncated} truncated` : ''}${report.skipped ? `, ${report.skipped} bad rows skipped` : ''})\n`,
      );
    }
    return 0;
  } finally {
    await engine.dispose();
  }
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await evaluateCommand(argv);
  } catch (error) {
    return commandFailed('eval', usage, error);
  }
}
