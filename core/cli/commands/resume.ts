// `zo-studio resume ID`: continue a run from its newest checkpoint (after a pause, a cancel, a crash
// or a kill -9). With the same seeds the resumed steps equal those of an uninterrupted run.
import { runFromCli } from '../../train/cli-run.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: zo-studio resume RUN_ID [--json] [--db PATH]

  --json      one JSON event per line; the last line is the summary
  --db PATH   run history database (default: $ZO_STUDIO_DB or the user data folder)
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('resume', USAGE, argv, {
    json: { type: 'boolean', default: false },
    db: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [runId, ...extra] = positionals;
  if (!runId || extra.length > 0) {
    return usageError('resume', USAGE, 'give exactly one run id (see `zo-studio runs list`)');
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
