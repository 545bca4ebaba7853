// The method table: every domain's methods joined into one map. Both transports, the backend handler
// map and the renderer client are typed from it, so a method added here is checked everywhere.
import type { z } from 'zod';
import { datasetsMethods } from './domains/datasets.ts';
import { estimatorsMethods } from './domains/estimators.ts';
import { exportMethods } from './domains/export.ts';
import { filesMethods } from './domains/files.ts';
import { modelsMethods } from './domains/models.ts';
import { playgroundMethods } from './domains/playground.ts';
import { runsMethods } from './domains/runs.ts';
import { settingsMethods } from './domains/settings.ts';
import { systemMethods } from './domains/system.ts';
import { trainingMethods } from './domains/training.ts';

export const apiMethods = {
  ...systemMethods,
  ...filesMethods,
  ...settingsMethods,
  ...datasetsMethods,
  ...modelsMethods,
  ...estimatorsMethods,
  ...trainingMethods,
  ...runsMethods,
  ...exportMethods,
  ...playgroundMethods,
} as const;

type Methods = typeof apiMethods;
export type MethodName = keyof Methods;
/** What a caller passes (defaults may be omitted). */
export type RequestInput<M extends MethodName> = z.input<Methods[M]['request']>;
/** What a handler receives (after parsing: defaults filled in). */
export type Request<M extends MethodName> = z.output<Methods[M]['request']>;
export type Response<M extends MethodName> = z.output<Methods[M]['response']>;

/** The backend implements one function per method; the domain is the prefix before the dot. */
export type Handlers = { [M in MethodName]: (request: Request<M>) => Promise<Response<M>> };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(apiMethods, name);
}
