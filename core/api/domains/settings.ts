// settings.*: user preferences persisted in the data directory (settings.json).
import { z } from 'zod';
import { defineMethod } from '../method.ts';
import { executionProviderSchema } from './system.ts';

export const settingsSchema = z.object({
  executionProvider: executionProviderSchema.default('auto'),
  /** 0 = let the runtime choose (one per physical core). */
  threads: z.number().int().min(0).max(256).default(0),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
});
export type Settings = z.infer<typeof settingsSchema>;

export const settingsMethods = {
  'settings.get': defineMethod(
    z.object({}),
    z.object({ settings: settingsSchema, dataDir: z.string() }),
    'Current settings and the data directory (fixed per launch by --data-dir).',
  ),
  'settings.update': defineMethod(
    settingsSchema.partial(),
    z.object({ settings: settingsSchema, dataDir: z.string() }),
    'Change some settings; returns the merged result.',
  ),
};
