// settings.get/update, persisted as <dataDir>/settings.json. A file that does not parse is reported,
// never silently replaced: the user may have edited it by hand.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, formatZodError } from '../../api/errors.ts';
import type { Handlers } from '../../api/methods.ts';
import { settingsSchema, type Settings } from '../../api/domains/settings.ts';
import type { StudioContext } from '../context.ts';

async function readSettings(file: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return settingsSchema.parse({});
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      'invalid_request',
      `${file}: not valid JSON (${(error as Error).message}); fix or delete it`,
    );
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success)
    throw new ApiError('invalid_request', `${file}: ${formatZodError(parsed.error)}; fix or delete it`);
  return parsed.data;
}

export function settingsHandlers(context: StudioContext): Pick<Handlers, 'settings.get' | 'settings.update'> {
  const file = join(context.dataDir, 'settings.json');
  return {
    'settings.get': async () => ({ settings: await readSettings(file), dataDir: context.dataDir }),
    'settings.update': async (changes) => {
      const settings = settingsSchema.parse({ ...(await readSettings(file)), ...changes });
      await mkdir(context.dataDir, { recursive: true });
      // Write then rename so a crash never leaves a half-written settings file.
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(settings, null, 2)}\n`);
      await rename(temp, file);
      return { settings, dataDir: context.dataDir };
    },
  };
}
