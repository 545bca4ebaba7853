// What every backend handler may use: where user data lives, the event bus, and the app version.
import type { EventBus } from './event-bus.ts';

export interface StudioContext {
  dataDir: string;
  events: EventBus;
  appVersion: string;
}
