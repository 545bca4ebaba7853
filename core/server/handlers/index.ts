// The backend handler map: one entry per API method, grouped by domain; each domain file adapts one
// engine module (core/data, core/models, core/hub, core/train, core/store, core/export, core/eval).
import type { Handlers } from '../../api/methods.ts';
import type { StudioContext } from '../context.ts';
import { Downloads } from '../downloads.ts';
import { generateBaseAndTuned } from '../playground.ts';
import { datasetHandlers } from './datasets.ts';
import { downloadHandlers } from './downloads.ts';
import { estimatorHandlers } from './estimators.ts';
import { exportHandlers } from './export.ts';
import { filesHandlers } from './files.ts';
import { modelsHandlers } from './models.ts';
import { runsHandlers } from './runs.ts';
import { settingsHandlers } from './settings.ts';
import { systemHandlers } from './system.ts';
import { trainingHandlers } from './training.ts';

export function createHandlers(context: StudioContext): Handlers {
  return {
    ...systemHandlers(context),
    ...filesHandlers(),
    ...settingsHandlers(context),
    ...datasetHandlers(context),
    ...downloadHandlers(new Downloads(context.dataDir, context.events)),
    ...modelsHandlers(),
    ...estimatorHandlers(),
    ...trainingHandlers(context.store, context.manager),
    ...runsHandlers(context.store, context.manager),
    ...exportHandlers(context.store),
    'playground.generate': (request) => generateBaseAndTuned(context.store, request),
  };
}
