// zo-studio serve: the studio UI and its API on localhost, for a headless GPU box or a browser test.
import { rendererDir } from '../../server/app-paths.ts';
import { resolveDbPath, userDataDir } from '../../store/paths.ts';
import { startBackend } from '../../server/start-backend.ts';
import { startStudioServer } from '../../server/studio-server.ts';
import { parseCommandArgs } from '../command-args.ts';

const usage = `usage: zo-studio serve [--port N] [--host 127.0.0.1] [--data-dir DIR] [--db PATH]

  --port N        port to listen on; 0 picks any free port (default 0)
  --host ADDR     address to bind (default 127.0.0.1; anything else exposes the studio to the network)
  --data-dir DIR  settings, run history and downloads (default: the per-user data folder)
  --db PATH       run history database (default: DIR/runs.sqlite with --data-dir, else $ZO_STUDIO_DB,
                  else the per-user data folder's), so the CLI's runs show up in the studio
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'serve',
    usage,
    argv,
    {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      db: { type: 'string' },
    },
    { allowPositionals: false },
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`zo-studio serve: --port must be an integer 0-65535, got '${values.port}'\n`);
    return 2;
  }
  // An explicit --data-dir keeps its history inside it (a fresh, self-contained studio); otherwise the
  // history is the one `zo-studio train` writes to, so CLI runs and studio runs are one list.
  const dbPath = values.db ?? (values['data-dir'] ? undefined : resolveDbPath());
  const backend = await startBackend(values['data-dir'] ?? userDataDir(), {
    ...(dbPath ? { dbPath } : {}),
  });
  const server = await startStudioServer({
    handlers: backend.handlers,
    events: backend.context.events,
    rendererDir: rendererDir(),
    host: values.host,
    port,
  });
  if (values.host !== '127.0.0.1' && values.host !== '::1' && values.host !== 'localhost') {
    process.stderr.write(
      `warning: listening on ${values.host}: anyone who can reach it and has the token can train\n`,
    );
  }
  process.stdout.write(`ZO Studio at ${server.url}\n`);
  process.stdout.write(`data directory: ${backend.context.dataDir}\n`);
  for (const notice of backend.notices) process.stderr.write(`notice: ${notice}\n`);
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  // Live runs get a last checkpoint and show as resumable next time.
  await server.close();
  await backend.close();
  return 0;
}
