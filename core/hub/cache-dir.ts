// Where Hub downloads live between runs. One answer for every caller (CLI, data import, the server's
// default), so a model or dataset is downloaded once per machine.
import path from 'node:path';
import { homedir } from 'node:os';

/** $ZO_STUDIO_CACHE/hub, else ~/.cache/zo-studio/hub. */
export function defaultHubCacheDir(): string {
  return path.join(process.env.ZO_STUDIO_CACHE ?? path.join(homedir(), '.cache', 'zo-studio'), 'hub');
}
