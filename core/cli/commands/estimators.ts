// `zo-studio estimators`: lists the gradient estimators (or, with --rules, the update rules) from the
// registries, as a table or as JSON for scripts and the wizard.
import { listEstimators } from '../../estimators/registry.ts';
import { listUpdateRules } from '../../optim/registry.ts';
import { parseCommandArgs } from '../command-args.ts';

const HELP = `usage: zo-studio estimators [--json] [--rules]

Lists every zeroth-order gradient estimator with its paper, forward passes per step, default settings
and help. With --rules, lists the update rules (applied to any estimator's output) instead.

  --json    print JSON: estimators as a top-level array of
            {"id","name","paper","forward_passes_per_step","defaults","help","fields","presets","suggested"};
            with --rules an array of {"id","name","paper","state_floats_per_param",
            "extra_forward_passes_per_step","defaults","help","fields"}
  --rules   list update rules (zo-sgd, zo-sgd-momentum, zo-adam, zo-sign-scalar, zo-sign-elementwise,
            zo-sgd-cons)
  -h        this help
`;

function formatDefaults(defaults: Record<string, unknown>): string {
  return Object.entries(defaults)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'estimators',
    HELP,
    argv,
    { json: { type: 'boolean' }, rules: { type: 'boolean' } },
    { allowPositionals: false },
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const rows = values.rules ? listUpdateRules() : listEstimators();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const row of rows) {
    const cost =
      'forward_passes_per_step' in row
        ? `${row.forward_passes_per_step} FP/step`
        : `${row.state_floats_per_param}·d state` +
          (row.extra_forward_passes_per_step ? `, +${row.extra_forward_passes_per_step} FP/step` : '');
    process.stdout.write(`${row.id.padEnd(20)} ${row.name} (${cost})\n`);
    process.stdout.write(`${''.padEnd(20)} ${row.help}\n`);
    process.stdout.write(`${''.padEnd(20)} defaults: ${formatDefaults(row.defaults)}\n`);
    process.stdout.write(`${''.padEnd(20)} paper: ${row.paper}\n\n`);
  }
  return 0;
}
