/** A change worth telling listeners about (server-sent events today; audit and connectors later). */
export interface TocsinEvent {
  /** Dotted name, e.g. `observations.accepted`. */
  type: string;
  /** Epoch ms when it happened, from the injected clock. */
  at: number;
  data: Record<string, unknown>;
}

/** The port a use case publishes through. */
export interface EventPublisher {
  publish(event: TocsinEvent): void;
}

type Listener = (event: TocsinEvent) => void;

/**
 * In-process fan-out of events to subscribers (each SSE connection is one). A slow or failing
 * listener never blocks the publisher or the others: errors are swallowed per listener.
 */
export class EventHub implements EventPublisher {
  private readonly listeners = new Set<Listener>();
  private sequence = 0;

  /** Delivers the event to every current subscriber; answers its sequence number. */
  publish(event: TocsinEvent): number {
    this.sequence++;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken listener must not stop the others.
      }
    }
    return this.sequence;
  }

  /** Adds a listener; answers the function that removes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many listeners are attached (for metrics). */
  get size(): number {
    return this.listeners.size;
  }
}
