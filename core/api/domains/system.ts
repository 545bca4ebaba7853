// system.*: what the studio runs on — used by Settings and by the Review step's "fits this machine".
import { z } from 'zod';
import { defineMethod } from '../method.ts';

export const executionProviderSchema = z.enum(['auto', 'cpu', 'webgpu', 'cuda']);
export type ExecutionProvider = z.infer<typeof executionProviderSchema>;

export const systemInfoSchema = z.object({
  appVersion: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpuCount: z.number().int().positive(),
  cpuModel: z.string(),
  totalMemoryBytes: z.number().nonnegative(),
  freeMemoryBytes: z.number().nonnegative(),
  dataDir: z.string(),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

export const systemMethods = {
  'system.info': defineMethod(z.object({}), systemInfoSchema, 'Machine, memory and the data directory.'),
  'system.providers': defineMethod(
    z.object({}),
    z.object({
      providers: z.array(
        z.object({
          name: executionProviderSchema.exclude(['auto']),
          available: z.boolean(),
          detail: z.string(),
        }),
      ),
    }),
    'Which execution providers start on this machine (each probed once with a real kernel; cached).',
  ),
};
