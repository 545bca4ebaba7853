// What every backend handler may use: where user data lives, the event bus, the run history and the
// training manager, and the app version.
import type { RunStore } from '../store/run-store.ts';
import type { TrainingManager } from '../train/manager.ts';
import type { EventBus } from './event-bus.ts';

export interface StudioContext {
  dataDir: string;
  events: EventBus;
  appVersion: string;
  store: RunStore;
  manager: TrainingManager;
}
