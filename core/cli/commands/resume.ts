// `zo-studio resume ID`: continue a run from its newest checkpoint (after a pause, a cancel, a crash
// or a kill -9). With the same seeds the resumed steps equal those of an uninterrupted run.
import { parseArgs } from 'node:util';
import { runFromCli } from '../../train/cli-run.ts';

const USAGE = `usage: zo-studio resume RUN_ID [--json] [--db PATH]

  --json      one JSON event per line; the last line is the summary
  --db PATH   run history database (default: $ZO_STUDIO_DB or the user data folder)
`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean', default: false },
        db: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`zo-studio resume: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [runId, ...extra] = positionals;
  if (!runId || extra.length > 0) {
    process.stderr.write(
      `zo-studio resume: give exactly one run id (see \`zo-studio runs list\`)\n\n${USAGE}`,
    );
    return 2;
  }
  return runFromCli({
    ...(values.db ? { db: values.db } : {}),
    json: values.json,
    begin: (manager) => {
      manager.resume(runId);
      return runId;
    },
  });
}
