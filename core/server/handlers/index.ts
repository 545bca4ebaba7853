// The backend handler map: one entry per API method, grouped by domain. Methods whose engine module
// has not landed answer "not available yet" (see not-available.ts) — wired here as modules arrive.
import type { Handlers } from '../../api/methods.ts';
import type { StudioContext } from '../context.ts';
import { Downloads } from '../downloads.ts';
import { datasetHandlers } from './datasets.ts';
import { downloadHandlers } from './downloads.ts';
import { filesHandlers } from './files.ts';
import { modelsHandlers } from './models.ts';
import { notAvailable } from './not-available.ts';
import { settingsHandlers } from './settings.ts';
import { systemHandlers } from './system.ts';

export function createHandlers(context: StudioContext): Handlers {
  return {
    ...systemHandlers(context),
    ...filesHandlers(),
    ...settingsHandlers(context),
    'datasets.preview': notAvailable('datasets.preview', 'core/data'),
    ...datasetHandlers(),
    ...downloadHandlers(new Downloads(context.dataDir, context.events)),
    ...modelsHandlers(),
    'estimators.list': notAvailable('estimators.list', 'core/estimators'),
    'training.start': notAvailable('training.start', 'core/train'),
    'training.pause': notAvailable('training.pause', 'core/train'),
    'training.resume': notAvailable('training.resume', 'core/train'),
    'training.cancel': notAvailable('training.cancel', 'core/train'),
    'training.fork': notAvailable('training.fork', 'core/train'),
    'training.estimate': notAvailable('training.estimate', 'core/train'),
    'runs.list': notAvailable('runs.list', 'core/store'),
    'runs.get': notAvailable('runs.get', 'core/store'),
    'runs.series': notAvailable('runs.series', 'core/store'),
    'runs.configDiff': notAvailable('runs.configDiff', 'core/store'),
    'runs.delete': notAvailable('runs.delete', 'core/store'),
    'runs.tag': notAvailable('runs.tag', 'core/store'),
    'export.run': notAvailable('export.run', 'core/export'),
    'playground.generate': notAvailable('playground.generate', 'core/eval'),
  };
}
