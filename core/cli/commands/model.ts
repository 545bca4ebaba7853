// zo-studio model: look at a local Hugging Face model folder. `inspect` is here; `score` (forward pass
// over a text) lives in ./model-score.ts and is loaded only when asked for, since it pulls in ORT.
import { ModelLoadError } from '../../models/errors.ts';
import { loadModel } from '../../models/load.ts';
import { summarizeModel, type ModelSummary } from '../../models/summary.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const usage = `usage: zo-studio model <subcommand> [options]

  inspect DIR [--json]   family, size and dtype of a Hugging Face model folder
  download ID            fetch a model from the Hugging Face Hub (see: zo-studio model download --help)
  score DIR ...          run the model over text (see: zo-studio model score --help)
`;

const inspectUsage = `usage: zo-studio model inspect DIR [--json]

  DIR     a Hugging Face model folder (config.json + model.safetensors or a sharded index)
  --json  print {"family","parameters","layers","hidden","vocab","dtype",...} instead of a table
`;

function formatTable(dir: string, summary: ModelSummary): string {
  const rows: [string, string][] = [
    ['folder', dir],
    ['family', `${summary.family} (model_type ${summary.modelType})`],
    ['parameters', summary.parameters.toLocaleString('en-US')],
    ['layers', String(summary.layers)],
    ['hidden', String(summary.hidden)],
    ['heads', `${summary.heads} query / ${summary.kvHeads} key-value`],
    ['vocab', String(summary.vocab)],
    ['context', `${summary.maxPositions} positions`],
    ['lm head', summary.tiedEmbeddings ? 'tied to the embedding' : 'separate'],
    ['dtype', summary.dtype],
  ];
  return rows.map(([label, value]) => `${label.padEnd(12)}${value}`).join('\n') + '\n';
}

async function inspect(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('model inspect', inspectUsage, argv, { json: { type: 'boolean' } });
  if (typeof parsed === 'number') return parsed;
  const [dir, ...extra] = parsed.positionals;
  if (!dir || extra.length > 0) {
    return usageError('model inspect', inspectUsage, 'expected exactly one model folder');
  }
  try {
    const model = await loadModel(dir);
    const summary = summarizeModel(model);
    process.stdout.write(
      parsed.values.json ? `${JSON.stringify(summary)}\n` : formatTable(model.dir, summary),
    );
    return 0;
  } catch (error) {
    // Bad input is the user's to fix: show the message, not a stack trace.
    if (error instanceof ModelLoadError) {
      process.stderr.write(`zo-studio model inspect: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

export async function run(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === 'inspect') return inspect(rest);
  if (subcommand === 'download') return (await import('./model-download.ts')).runDownload(rest);
  if (subcommand === 'score') {
    // A variable specifier keeps ORT out of `inspect` and lets this file typecheck on its own.
    const scoreModule = './model-score.ts';
    const { runScore } = (await import(scoreModule)) as { runScore(argv: string[]): Promise<number> };
    return runScore(rest);
  }
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    process.stdout.write(usage);
    return subcommand ? 0 : 2;
  }
  process.stderr.write(`zo-studio model: unknown subcommand '${subcommand}'\n\n${usage}`);
  return 2;
}
