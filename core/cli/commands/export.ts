// `zo-studio export ID --format peft|merged|onnx --out DIR`: write a run's newest checkpoint as a PEFT
// adapter, a merged Hugging Face model folder or a merged ONNX model, and record it in the run history.
import { EXPORT_FORMATS, exportRun } from '../../export/run-export.ts';
import type { ExportFormat } from '../../export/run-export.ts';
import { RunStore } from '../../store/run-store.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: zo-studio export RUN_ID --format peft|merged|onnx --out DIR [--force] [--json] [--db PATH]

  --format peft     Hugging Face PEFT adapter (adapter_config.json + adapter_model.safetensors); LoRA and prefix runs
  --format merged   Hugging Face model folder with the trained weights merged in; LoRA and full runs
  --format onnx     ONNX model (model.onnx + weights.bin) with the merged weights; LoRA and full runs
  --out DIR         folder to write (must be empty unless --force)
  --base-model ID   base_model_name_or_path recorded in a PEFT adapter (default: the run's model folder)
  --json            print the result as JSON
  --db PATH         run history database (default: $ZO_STUDIO_DB or the user data folder)
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('export', USAGE, argv, {
    format: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    'base-model': { type: 'string' },
    json: { type: 'boolean', default: false },
    db: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [runId, ...extra] = positionals;
  const problem =
    !runId || extra.length > 0
      ? 'give exactly one run id (see `zo-studio runs list`)'
      : !values.format || !(EXPORT_FORMATS as readonly string[]).includes(values.format)
        ? `--format must be one of: ${EXPORT_FORMATS.join(', ')}`
        : !values.out
          ? '--out DIR is required'
          : undefined;
  if (problem) return usageError('export', USAGE, problem);
  let store: RunStore | undefined;
  try {
    store = RunStore.openForUser(values.db, (notice) => process.stderr.write(`zo-studio: ${notice}\n`));
    const result = await exportRun(store, {
      runId: runId!,
      format: values.format as ExportFormat,
      outDir: values.out!,
      overwrite: values.force,
      ...(values['base-model'] ? { baseModel: values['base-model'] } : {}),
    });
    for (const note of result.notes) process.stderr.write(`zo-studio export: ${note}\n`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ runId, ...result })}\n`);
    } else {
      const size = `${(result.bytes / 1024).toFixed(1)} KiB`;
      process.stdout.write(
        `exported run ${runId} (step ${result.step}) as ${result.format} to ${result.outDir} (${size})\n`,
      );
      for (const file of result.files) process.stdout.write(`  ${file}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`zo-studio export: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    store?.close();
  }
}
