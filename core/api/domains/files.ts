// files.*: the browser has no native file dialog, so the UI picks paths through a small server-side
// directory browser and checks typed paths before the wizard accepts them.
import { z } from 'zod';
import { defineMethod } from '../method.ts';

export const fileEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['dir', 'file']),
  sizeBytes: z.number().nonnegative(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

export const filesMethods = {
  'files.list': defineMethod(
    z.object({ path: z.string().min(1).optional(), showHidden: z.boolean().default(false) }),
    z.object({ path: z.string(), parent: z.string().nullable(), entries: z.array(fileEntrySchema) }),
    'List a directory (defaults to the home directory); folders first, then files, by name.',
  ),
  'files.check': defineMethod(
    z.object({ path: z.string().min(1), expect: z.enum(['file', 'dir', 'any']).default('any') }),
    z.object({
      path: z.string(),
      exists: z.boolean(),
      kind: z.enum(['dir', 'file']).nullable(),
      ok: z.boolean(),
      message: z.string(),
    }),
    'Resolve a typed path and say whether it is the expected kind.',
  ),
};
