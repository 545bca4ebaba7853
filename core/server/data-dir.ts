// Where ZO Studio keeps settings, the run database and downloads when no --data-dir is given:
// ZO_STUDIO_DATA, else the platform's per-user application data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.ZO_STUDIO_DATA) return env.ZO_STUDIO_DATA;
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'zo-studio');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'zo-studio');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'zo-studio');
}
