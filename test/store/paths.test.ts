// Where the database lives on each platform, and the --db / ZO_STUDIO_DB overrides.
import { describe, expect, it } from 'vitest';
import { resolveDbPath, runDir, userDataDir } from '../../core/store/paths.ts';

const linux = (env: Record<string, string> = {}) => ({ platform: 'linux' as const, env, home: '/home/ada' });

describe('database path', () => {
  it('follows each platform convention for the per-user data directory', () => {
    expect(userDataDir(linux())).toBe('/home/ada/.local/share/zo-studio');
    expect(userDataDir(linux({ XDG_DATA_HOME: '/data/xdg' }))).toBe('/data/xdg/zo-studio');
    // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
    expect(userDataDir(linux({ XDG_DATA_HOME: 'relative' }))).toBe('/home/ada/.local/share/zo-studio');
    expect(userDataDir({ platform: 'darwin', env: {}, home: '/Users/ada' })).toBe(
      '/Users/ada/Library/Application Support/zo-studio',
    );
    expect(
      userDataDir({
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' },
        home: 'C:\\Users\\ada',
      }),
    ).toMatch(/AppData.Roaming.zo-studio$/);
  });

  it('prefers --db over ZO_STUDIO_DB over the data directory', () => {
    expect(resolveDbPath(undefined, linux())).toBe('/home/ada/.local/share/zo-studio/runs.sqlite');
    expect(resolveDbPath(undefined, linux({ ZO_STUDIO_DB: '/env/h.sqlite' }))).toBe('/env/h.sqlite');
    expect(resolveDbPath('/flag/h.sqlite', linux({ ZO_STUDIO_DB: '/env/h.sqlite' }))).toBe('/flag/h.sqlite');
    expect(runDir('/flag/h.sqlite', 'abc')).toBe('/flag/runs/abc');
  });
});
