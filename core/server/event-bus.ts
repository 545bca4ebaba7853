// Fan-out of backend events (run progress, downloads) to every connected page or window. Events are
// validated once here so each transport can forward them as-is.
import { apiEventSchema, type ApiEvent } from '../api/events.ts';

export type EventListener = (event: ApiEvent) => void;

export class EventBus {
  readonly #listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: ApiEvent): void {
    const checked = apiEventSchema.parse(event);
    for (const listener of this.#listeners) {
      try {
        listener(checked);
      } catch (error) {
        // One broken subscriber (a socket that just closed) must not starve the others.
        console.error('zo: event listener failed', error);
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
