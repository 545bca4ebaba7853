// Where the run history lives. Resolution order: an explicit path (`--db PATH`), then the ZO_STUDIO_DB
// environment variable, then the platform's per-user data directory. Checkpoints and exports of a run
// sit beside the database (`<db dir>/runs/<run id>/`) so one folder holds a user's whole history.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const APP_DIR_NAME = 'zo-studio';
export const DB_FILE_NAME = 'runs.sqlite';

export interface PathEnvironment {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

const currentEnvironment = (): PathEnvironment => ({
  platform: process.platform,
  env: process.env,
  home: homedir(),
});

/** The per-user data directory for ZO Studio on this platform (XDG on Linux and other Unixes). */
export function userDataDir(environment: PathEnvironment = currentEnvironment()): string {
  const { platform, env, home } = environment;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share'), APP_DIR_NAME);
}

/** The database path: `explicit` (from --db) wins over ZO_STUDIO_DB, which wins over the data directory. */
export function resolveDbPath(
  explicit?: string,
  environment: PathEnvironment = currentEnvironment(),
): string {
  if (explicit) return resolve(explicit);
  const fromEnv = environment.env.ZO_STUDIO_DB;
  if (fromEnv) return resolve(fromEnv);
  return join(userDataDir(environment), DB_FILE_NAME);
}

/** The folder holding one run's checkpoints and exports, next to the database that records it. */
export function runDir(dbPath: string, runId: string): string {
  return join(dirname(dbPath), 'runs', runId);
}

export function checkpointDir(dbPath: string, runId: string): string {
  return join(runDir(dbPath, runId), 'checkpoints');
}
